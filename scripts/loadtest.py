"""Election night on one box: N simulated volunteers and a few dashboards against a production-shaped
deployment on loopback, then the drills' checks.

For each N: a fresh deployment (`harness.loopback`: web processes under gunicorn/gevent behind the
balancer sharing Socket.IO through the Redis message queue, RQ workers, the Twilio simulator on its
real-time clock, PostgreSQL or SQLite, Redis), N volunteers who sign in, start "call my phone"
sessions and record every conversation through the JSON API, and organiser dashboards. After a
warm-up, the measured window, halfway through which `--leave-share` (10%) of all the volunteers go
away mid-call (a third reload their page, a third lose their connection for 20 s, a third lose their
phone and ring it again); then the phone bank is paused, settled and checked (no lost outcome, no voter in
two calls, no seat stuck, every call final, dashboards equal a recount, every conversation has a
record).

Figures: volunteers held (session live and socket connected at the end of the window), calls placed
and conversations per hour, the answer webhook's response time as Twilio sees it (p50/p99, measured
by the simulator around each request, wall clock), the wait from a seat becoming ready to a voter
being put through (p50/p99, at the volunteers' clients), dashboard lag (p99: a seat change's arrival
at a dashboard minus its time on the server), errors, and CPU and memory per process (psutil).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/scratch .venv/bin/python scripts/loadtest.py \\
        [--volunteers 100 500 1000] [--seconds 120] [--web 2] [--workers 3] [--speed 1] [--no-report]

DATABASE_URL is emptied (use a scratch database); unset, SQLite in a temporary folder. Redis is a
server of the deployment's own. Exits non-zero when any run's checks fail. The largest N held with
an answer-webhook p99 under 250 ms is written to docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness is not installed: the checkout

from benchmark_report import write_section
from sqlmodel import col, func, select

from dialer.models import CallAttempt
from dialer.services.phone_bank import ANSWER_PATH
from harness.loopback.checks import Verdict
from harness.loopback.deployment import Shape
from harness.loopback.drills import Load, Rig, volunteers_went_away

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- loadtest:begin -->", "<!-- loadtest:end -->"
TARGET_P99_MS = 250.0


@dataclass
class Run:
    volunteers: int
    held: int = 0
    seconds: float = 0.0
    placed: int = 0
    conversations: int = 0
    answer_ms: list[float] = field(default_factory=list)
    webhook_failures: int = 0
    waits_s: list[float] = field(default_factory=list)
    card_s: list[float] = field(default_factory=list)  # voter answered -> their card live on the page
    lags_s: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    usage: dict[str, tuple[float, int]] = field(default_factory=dict)  # name -> (CPU %, RSS bytes)
    verdicts: list[Verdict] = field(default_factory=list)
    went_away: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(verdict.ok for verdict in self.verdicts)

    def per_hour(self, count: int) -> float:
        return count / self.seconds * 3600 if self.seconds else 0.0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _answer_timings(rig: Rig, since_id: int) -> tuple[list[float], int, int]:
    """The simulator's answer-webhook timings since an event id: (ms list, failures, next id)."""
    settings = rig.deployment.settings
    timings: list[float] = []
    failures = 0
    next_id = since_id
    while True:
        page = requests.get(
            f"{settings.simulator_url}/_sim/events",
            params={"kind": "webhook-result", "since": str(next_id), "limit": "10000"},
            auth=(settings.account_sid, settings.auth_token),
            timeout=60,
        ).json()
        for event in page["events"]:
            if ANSWER_PATH in event["url"]:
                timings.append(float(event["elapsed_ms"]))
            if not (event.get("status") and 200 <= event["status"] < 300):
                failures += 1
        if not page["events"]:
            return timings, failures, next_id
        next_id = page["next"]


def _calls(rig: Rig, start: datetime, end: datetime) -> tuple[int, int]:
    with rig.services.uow() as uow:
        placed = uow.session.exec(
            select(func.count()).where(
                col(CallAttempt.provider_sid).is_not(None),
                col(CallAttempt.placed_at) >= start,
                col(CallAttempt.placed_at) < end,
            )
        ).one()
        talked = uow.session.exec(
            select(func.count()).where(
                col(CallAttempt.connected_at) >= start, col(CallAttempt.connected_at) < end
            )
        ).one()
    return int(placed), int(talked)


def _cpu(rig: Rig) -> dict[str, float]:
    usage = {name: cpu for name, (cpu, _) in rig.deployment.cpu_and_memory().items()}
    for index, pid in enumerate(rig.crowd.pids()):
        try:
            times = psutil.Process(pid).cpu_times()
            usage[f"clients-{index}"] = times.user + times.system
        except psutil.Error:
            continue
    return usage


def _memory(rig: Rig) -> dict[str, int]:
    memory = {name: rss for name, (_, rss) in rig.deployment.cpu_and_memory().items()}
    for index, pid in enumerate(rig.crowd.pids()):
        try:
            memory[f"clients-{index}"] = psutil.Process(pid).memory_info().rss
        except psutil.Error:
            continue
    return memory


def measure(volunteers: int, args: argparse.Namespace, folder: Path) -> Run:
    shape = Shape(
        web=args.web, workers=args.workers, speed=args.speed, cps=args.cps,
        database_url=os.environ.get("DATABASE_URL") or None, fork_workers=args.fork,
    )  # fmt: skip
    load = Load(
        volunteers=volunteers,
        voters_per_volunteer=min(15, 17_000 // volunteers),
        dashboards=args.dashboards,
        client_processes=max(1, min(args.client_processes, volunteers // 25 or 1)),
        wrap_s=args.wrap,
        talk_s=(30.0, 120.0),
    )
    run = Run(volunteers)
    started = time.monotonic()
    with Rig(shape, load, folder) as rig:
        print(f"  {volunteers} volunteers: deployment up and crowd started in {time.monotonic() - started:.0f} s "
              f"({rig.crowd.started} sessions; seconds per step: {rig.setup_s})", flush=True)  # fmt: skip
        time.sleep(args.warmup)
        before = rig.crowd.report()
        seen_waits = [len(v["waits"]) for v in before["volunteers"]]
        seen_cards = [len(v["card_lags"]) for v in before["volunteers"]]
        seen_lags = [len(d["lags"]) for d in before["dashboards"]]
        _, _, first_event = _answer_timings(rig, 0)
        cpu_before, t0, wall0 = _cpu(rig), time.monotonic(), datetime.now(UTC)
        time.sleep(args.seconds / 2)
        run.went_away = volunteers_went_away(rig, args.leave_share) if args.leave_share else {}
        time.sleep(max(0.0, t0 + args.seconds - time.monotonic()))
        cpu_after, t1, wall1 = _cpu(rig), time.monotonic(), datetime.now(UTC)
        after = rig.crowd.report()
        memory = _memory(rig)
        run.seconds = t1 - t0
        run.answer_ms, run.webhook_failures, _ = _answer_timings(rig, first_event)
        run.placed, run.conversations = _calls(rig, wall0, wall1)
        run.held = sum(1 for v in after["volunteers"] if v["held"])
        for volunteer, seen in zip(after["volunteers"], seen_waits, strict=True):
            run.waits_s += volunteer["waits"][seen:]
        for volunteer, seen in zip(after["volunteers"], seen_cards, strict=True):
            run.card_s += volunteer["card_lags"][seen:]
        for board, seen in zip(after["dashboards"], seen_lags, strict=True):
            run.lags_s += board["lags"][seen:]
        for party in [*after["volunteers"], *after["dashboards"]]:
            for what, count in party["errors"].items():
                kind = what.split(":")[0]
                run.errors[kind] = run.errors.get(kind, 0) + count
        run.usage = {
            name: ((cpu_after.get(name, cpu) - cpu) / run.seconds * 100, memory.get(name, 0))
            for name, cpu in cpu_before.items()
        }
        run.verdicts, _facts = rig.settle_and_check()
    return run


def describe(run: Run) -> str:
    return (
        f"{run.volunteers} volunteers: held {run.held}, {run.per_hour(run.placed):,.0f} calls/h, "
        f"{run.per_hour(run.conversations):,.0f} conversations/h, answer webhook p50 "
        f"{percentile(run.answer_ms, 0.5):.0f} ms p99 {percentile(run.answer_ms, 0.99):.0f} ms "
        f"({len(run.answer_ms)}), ready->connected p50 {percentile(run.waits_s, 0.5):.1f} s p99 "
        f"{percentile(run.waits_s, 0.99):.1f} s, answer to card shown p99 {percentile(run.card_s, 0.99) * 1000:.0f} ms, "
        f"dashboard lag p99 {percentile(run.lags_s, 0.99) * 1000:.0f} ms, "
        f"errors {sum(run.errors.values())} {run.errors}, webhook failures {run.webhook_failures}, "
        f"went away mid-call {run.went_away}, "
        f"checks {'ok' if run.ok else 'FAILED'}"
    )


def report(runs: list[Run], args: argparse.Namespace, backend: str, load_before: float) -> None:
    good = [run.volunteers for run in runs if run.held == run.volunteers and run.ok
            and percentile(run.answer_ms, 0.99) < TARGET_P99_MS]  # fmt: skip
    largest = max(good, default=0)
    rows = "\n".join(
        f"| {run.volunteers:,} | {run.held:,} | {run.per_hour(run.placed):,.0f} | {run.per_hour(run.conversations):,.0f} "
        f"| {percentile(run.answer_ms, 0.5):.0f} / {percentile(run.answer_ms, 0.99):.0f} ms "
        f"| {percentile(run.waits_s, 0.5):.1f} / {percentile(run.waits_s, 0.99):.1f} s "
        f"| {percentile(run.card_s, 0.99) * 1000:,.0f} ms "
        f"| {percentile(run.lags_s, 0.99) * 1000:,.0f} ms | {sum(run.errors.values()) + run.webhook_failures} "
        f"| {'pass' if run.ok else 'FAIL'} |"
        for run in runs
    )
    usage = "\n".join(
        f"| {run.volunteers:,} | "
        + ", ".join(
            f"{name} {cpu:.0f}% {rss / 2**20:.0f} MB" for name, (cpu, rss) in sorted(run.usage.items())
        )
        + " |"
        for run in runs
    )
    errors = "; ".join(
        f"{run.volunteers:,}: "
        + (", ".join(f"{k} {v}" for k, v in sorted(run.errors.items())) or "none")
        + f", webhook failures {run.webhook_failures}"
        for run in runs
    )
    load = os.getloadavg()
    body = f"""## Election night on one box (issue 10): `scripts/loadtest.py`

{date.today().isoformat()}, {platform.machine()} / {os.cpu_count()} CPUs (1-minute load average {load_before:.1f}
when the series started, {load[0]:.1f} at its end). The simulated volunteers and dashboards run on the same
cores as the deployment they load, so the figures understate what the deployment alone could hold.
Each N is a fresh production-shaped deployment on loopback ({backend}): {args.web} web processes
(gunicorn, gevent) behind a TCP balancer sharing Socket.IO through the Redis message queue,
{args.workers} RQ workers, the Twilio simulator on its real-time clock (speed {args.speed:g}, {args.cps:g}
calls per second), N volunteers as real Socket.IO + HTTP clients ("call my phone", outcomes through the
JSON API) and {args.dashboards} organiser dashboards, all on this machine. Voters answer 45% of calls,
talk 30-120 s; a volunteer takes about {args.wrap:g} s to record an outcome. Measured over {args.seconds:g} s
after {args.warmup:g} s of warm-up; then the drills' checks.

| volunteers | held | calls/h | conversations/h | answer webhook p50 / p99 | seat ready to voter connected p50 / p99 | answer to card shown p99 | dashboard lag p99 | errors | checks |
|---|---|---|---|---|---|---|---|---|---|
{rows}

**Largest N held with answer-webhook p99 under {TARGET_P99_MS:.0f} ms: {largest:,}**{"" if largest else " (none)"}.
The answer webhook is timed by the simulator around each request (what Twilio would see: the balancer,
gunicorn, the seat claim in Redis and two row updates). "Answer to card shown" is from the seat's
move to connected on the server to the volunteer's client receiving it. "Held" means the volunteer's session was live and
its socket connected at the end of the window. Errors: {errors}.

CPU (share of one core over the window) and memory per process:

| volunteers | processes |
|---|---|
{usage}

Re-run: `DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<scratch> .venv/bin/python scripts/loadtest.py`
(`--volunteers 100 500 1000 --seconds {args.seconds:g}`)."""
    write_section(BEGIN, END, body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--seconds", type=float, default=120.0, help="the measured window")
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--fork", action="store_true", help="RQ's forking worker (default: --no-fork)")
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--cps", type=float, default=50.0)
    parser.add_argument("--dashboards", type=int, default=10)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--wrap", type=float, default=5.0)
    parser.add_argument(
        "--leave-share", type=float, default=0.1,
        help="share of all the volunteers who go away mid-call halfway (reload, lost connection, dropped phone)",
    )  # fmt: skip
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument(
        "--keep-logs", type=Path, default=None,
        help="keep each run's folder (the processes' logs, the crowd's reports) in DIR/<N> instead of a temporary one",
    )  # fmt: skip
    args = parser.parse_args()
    # Stopped with SIGTERM, still stop the deployment's processes (the context managers' exits run).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    backend = ("PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite") + " + Redis"
    load_before = os.getloadavg()[0]
    runs = []
    for volunteers in args.volunteers:
        if args.keep_logs is not None:
            kept = args.keep_logs / str(volunteers)
            kept.mkdir(parents=True, exist_ok=True)
            run = measure(volunteers, args, kept)
        else:
            with tempfile.TemporaryDirectory(prefix="marginal-load-") as folder:
                run = measure(volunteers, args, Path(folder))
        runs.append(run)
        print(describe(run), flush=True)
        for verdict in run.verdicts:
            print(f"    {verdict}", flush=True)
        if not args.no_report:  # after each N: a long series stopped part-way keeps what it measured
            report(runs, args, backend, load_before)
    return 0 if all(run.ok for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
