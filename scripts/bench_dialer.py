"""How fast the answer webhook puts a voter through to a volunteer, and how fast seats are claimed.

Answer webhook: `python -m web` (gunicorn's gevent worker, as `dialer serve` runs it) on loopback,
over PostgreSQL and Redis. A load generator in its own process (asyncio and aiohttp, so it takes no
GIL from the server) posts Twilio answer webhooks signed as Twilio signs them (X-Twilio-Signature),
open loop: request n is due at start + n / rate whatever became of the earlier ones, and its latency
runs from that due time to the last byte of the response, so a server that falls behind is charged
in full (no coordinated omission). The first --warmup seconds of each phase are not counted. An
organiser's dashboard (a Socket.IO client in the same process) watches the campaign throughout, so
the server relays the live updates as it does during a shift.

Each request answers a real call. The setup runs the product's own power dialing: volunteers start
seats and their softphones join (`sessions`), `pace_campaign` reserves a seat and creates a call
attempt for every ready seat, and `place_call` (the worker's job) places each with a provider that
accepts every call and keeps the answer URL it was given, the URL Twilio would call. So the webhook
claims the reserved seat in Redis, writes the call and the seat to SQL and counts and publishes the
live figures, as in a shift; every response must be the TwiML joining the voter to their seat. (The
bench campaign's calling hours are the whole day, so staging works at any hour.) Baseline, in the
same run, from the same server, client and rate, measured first: a static file (Flask's static
route: the same stack with no database or Redis). Beside the latencies, the web processes' CPU time
per request over each phase (psutil): what a request costs, whatever else the machine is running.

Seat claims: --claim-seats ready seats claimed by --claimers threads until none is left, with the
product's Lua script (`RedisSeatBoard.claim_for_answer`, any idle seat, longest idle first) and, as
the baseline, with one SQL statement per claim taking the longest-idle ready seat under a row lock
(`UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)` on PostgreSQL, with an index made for
it); claims a second, median of --claim-runs runs.

    .venv/bin/python scripts/bench_dialer.py [--rate 100] [--seconds 20] [--warmup 2]
        [--web-processes 2] [--claim-seats 3000] [--claimers 8] [--claim-runs 5] [--no-report]
        [--database-url postgresql://postgres@127.0.0.1:5432/marginal_bench]
        [--redis-url redis://127.0.0.1:6379/15]

The database is created if missing and emptied: give it a scratch database. The Redis database must
be empty or one this script used before (it marks it), and is flushed. Prints the figures, replaces
its section of docs/BENCHMARKS.md and exits 1 when the answer webhook's p99 is 50 ms or more or any
answer did not join its seat. Voters are fictional, on Ofcom's drama numbers; nothing is dialled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmark_report import REPORT, write_section

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench_dialer:begin -->", "<!-- bench_dialer:end -->"
TARGET_P99_S = 0.050
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/marginal_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
#: Set in the Redis database this script flushes, so that a later run knows the data is its own.
REDIS_MARK = "marginal:bench:dialer"
#: The baseline request: a small file through the same Flask app, with no database or Redis work.
BASELINE_PATH = "/static/css/calling.css"
#: What every answer must contain: the TwiML joining the voter to the seat's conference.
JOINED = "<Conference"
#: Ofcom's drama ranges that the product accepts (1,000 numbers each): the voters' fictional numbers.
DRAMA_RANGES = ("0113 496 0", "0114 496 0", "0116 496 0", "0117 496 0", "0118 496 0", "0121 496 0")
SEAT = "E14001172"  # the demo seat (dialer.services.demo.demo.SEAT)
ORGANISER_EMAIL = "bench-organiser@example.org"
ORGANISER_PASSWORD = "bench organiser passphrase"


# --- the load generator (its own process) ------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One HTTP request as the provider would send it."""

    method: str
    path: str  # with its query string
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass(frozen=True)
class Reply:
    """What became of one request: latency from its due time, status (0: none), the expected body?"""

    due: float  # seconds after the phase started
    latency: float
    status: int
    expected: bool


@dataclass(frozen=True)
class Dashboard:
    """The organiser's dashboard that watches the campaign while the load runs."""

    cookie: str
    campaign_id: int


async def _watch(url: str, dashboard: Dashboard, updates: list[str]) -> Any:
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    client.on("*", lambda event, *_: updates.append(event), namespace="/live")
    await client.connect(
        url, headers={"Cookie": dashboard.cookie}, transports=["websocket"], namespaces=["/live"]
    )
    ack = await client.call("watch_campaign", {"campaign_id": dashboard.campaign_id}, namespace="/live")
    if not ack.get("ok"):
        raise RuntimeError(f"the dashboard could not watch the campaign: {ack}")
    return client


@dataclass(frozen=True)
class Phase:
    """Requests sent one after the other at the rate, and what each response must contain."""

    name: str
    requests: list[Request]
    expect: str = ""


@dataclass(frozen=True)
class PhaseResult:
    replies: list[Reply]
    live_updates: int  # received by the dashboard from the phase's start to a second after its end
    server_cpu_s: float | None  # the web processes' CPU time over the phase


def cpu_seconds(pids: Sequence[int]) -> float | None:
    """User and system CPU time of the processes and all their descendants (None if one is gone)."""
    import psutil

    try:
        processes = [psutil.Process(pid) for pid in pids]
        processes += [child for process in processes for child in process.children(recursive=True)]
        return float(sum(times.user + times.system for times in (p.cpu_times() for p in processes)))
    except psutil.Error:
        return None


async def _open_loop(
    urls: Sequence[str],
    phases: Sequence[Phase],
    rate: float,
    dashboard: Dashboard | None,
    server_pids: Sequence[int],
) -> list[PhaseResult]:
    """Each phase's request n goes to urls[n % len(urls)] at the phase's start + n / rate."""
    import aiohttp

    loop = asyncio.get_running_loop()
    updates: list[str] = []
    watcher = await _watch(urls[0], dashboard, updates) if dashboard else None
    connector = aiohttp.TCPConnector(limit=1024)
    results = []
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as client:

        async def one(url: str, request: Request, expect: str, due: float, start: float) -> Reply:
            try:
                async with client.request(
                    request.method, url + request.path, data=request.body or None, headers=request.headers
                ) as response:
                    text, status = await response.text(), response.status
            except (aiohttp.ClientError, TimeoutError):
                text, status = "", 0
            return Reply(due - start, loop.time() - due, status, status == 200 and expect in text)

        for phase in phases:
            seen, cpu_before = len(updates), cpu_seconds(server_pids)
            start = loop.time() + 0.2
            sent = []
            for n, request in enumerate(phase.requests):
                due = start + n / rate
                await asyncio.sleep(max(0.0, due - loop.time()))
                sent.append(asyncio.create_task(one(urls[n % len(urls)], request, phase.expect, due, start)))
            replies = list(await asyncio.gather(*sent))
            if watcher is not None:
                await asyncio.sleep(1.0)  # the last live updates are on their way
            cpu_after = cpu_seconds(server_pids)
            cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
            results.append(PhaseResult(replies, len(updates) - seen, cpu))
    if watcher is not None:
        await watcher.disconnect()
    return results


def _load_generator(plan_file: Path, out_file: Path) -> None:
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    phases = [Phase(p["name"], [Request(**r) for r in p["requests"]], p["expect"]) for p in plan["phases"]]
    dashboard = Dashboard(**plan["dashboard"]) if plan["dashboard"] else None
    results = asyncio.run(_open_loop(plan["urls"], phases, plan["rate"], dashboard, plan["server_pids"]))
    out_file.write_text(json.dumps([asdict(result) for result in results]), encoding="utf-8")


def send_open_loop(
    servers: Sequence[Server],
    phases: Sequence[Phase],
    *,
    rate: float,
    folder: Path,
    dashboard: Dashboard | None,
) -> list[PhaseResult]:
    """Send each phase's requests at `rate` a second from a separate process, spread over the
    servers as a load balancer would, with `dashboard` watching."""
    plan, out = folder / "load-plan.json", folder / "load-results.json"
    plan.write_text(
        json.dumps(
            {
                "urls": [server.url for server in servers],
                "server_pids": [server.pid for server in servers],
                "rate": rate,
                "phases": [asdict(phase) for phase in phases],
                "dashboard": asdict(dashboard) if dashboard else None,
            }
        ),
        encoding="utf-8",
    )
    subprocess.run([sys.executable, __file__, "--as-load-generator", str(plan), str(out)], check=True)
    return [
        PhaseResult([Reply(**r) for r in result["replies"]], result["live_updates"], result["server_cpu_s"])
        for result in json.loads(out.read_text(encoding="utf-8"))
    ]


# --- the figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latencies:
    """A phase's counted requests (those due after the warm-up)."""

    name: str
    sent: int
    expected: int  # answered 200 with the expected body
    p50: float
    p99: float
    max: float
    rate: float  # requests completed a second over the counted part of the phase

    def line(self) -> str:
        return (
            f"{self.name}: {self.sent} requests, {self.rate:.0f}/s completed, {self.expected} as expected, "
            f"p50 {self.p50 * 1000:.1f} ms, p99 {self.p99 * 1000:.1f} ms, max {self.max * 1000:.1f} ms"
        )


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of all the values at or below it."""
    if not sorted_values:
        return math.inf
    return sorted_values[max(0, math.ceil(share * len(sorted_values)) - 1)]


def latencies(name: str, replies: Sequence[Reply], warmup_s: float) -> Latencies:
    counted = [r for r in replies if r.due >= warmup_s]
    values = sorted(r.latency for r in counted)
    span = max((r.due + r.latency for r in counted), default=warmup_s) - warmup_s
    return Latencies(
        name=name,
        sent=len(counted),
        expected=sum(r.expected for r in counted),
        p50=percentile(values, 0.50),
        p99=percentile(values, 0.99),
        max=values[-1] if values else math.inf,
        rate=len(counted) / span if span > 0 else 0.0,
    )


# --- the database and Redis ------------------------------------------------------------------------------


def scratch_database(url: str) -> Any:
    """An engine on `url` (a PostgreSQL database is created if missing), emptied and migrated."""
    import sqlalchemy as sa
    from sqlalchemy.engine.url import make_url
    from sqlmodel import SQLModel

    from dialer.adapters import db, schema

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = db.make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            found = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).first()
            if found is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
        admin.dispose()
    engine = db.make_engine(url)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    schema.upgrade(engine)
    return engine


def scratch_redis(url: str) -> None:
    """Flush the Redis database at `url`, refusing one that holds keys this script did not write."""
    from dialer.adapters import redis_server

    connection = redis_server.connect(url)
    try:
        if connection.dbsize() and not connection.exists(REDIS_MARK):
            raise SystemExit(
                f"{url} holds {connection.dbsize()} keys this benchmark did not write: "
                "give --redis-url an empty Redis database"
            )
        connection.flushdb()
        connection.set(REDIS_MARK, "scripts/bench_dialer.py")
    finally:
        connection.close()


# --- staging real calls ----------------------------------------------------------------------------------


class AcceptingProvider:
    """A telephony provider that accepts every call and keeps the answer URL it would call."""

    def __init__(self) -> None:
        self.answer_urls: dict[str, str] = {}

    def place_call(self, call: Any) -> str:
        sid = "CA" + secrets.token_hex(16)
        self.answer_urls[sid] = call.answer_url
        return sid

    def hang_up(self, sid: str) -> None:
        raise NotImplementedError("nothing is hung up while staging")

    def redirect(self, sid: str, instruction: Any) -> None:
        raise NotImplementedError("nothing is redirected while staging")

    def hold(self, conference_sid: str, call_sid: str, *, on: bool, hold_url: str | None = None) -> None:
        raise NotImplementedError("nobody is held while staging")

    def fetch_call(self, sid: str) -> Any:
        raise NotImplementedError("nothing is reconciled while staging")

    def softphone_token(self, identity: str) -> str:
        return f"token-for-{identity}"

    def may_call_from(self, number: str) -> bool:
        return True  # staging places no real calls

    def route_incoming(self, number: str, voice_url: str) -> bool:
        return True  # nobody rings back while staging

    def send_text(self, text: Any) -> str:
        raise NotImplementedError("nothing is texted while staging")

    def route_texts(self, number: str, sms_url: str) -> bool:
        return True  # nobody texts back while staging


class NoCallLimit:
    """Staging places thousands of calls at once: the account's calls-per-second budget is not measured."""

    def take(self, *, now: datetime) -> float:
        return 0.0


@dataclass
class KeptJobs:
    """The jobs the use cases enqueue while staging; the script runs the `place_call` ones itself."""

    jobs: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def enqueue(self, job: str, *args: Any, at: datetime | None = None, job_id: str | None = None) -> None:
        self.jobs.append((job, args))


class Unwatched:
    """Nobody watches the staging: its live updates go nowhere."""

    def publish(self, room: str, event: str, payload: dict[str, Any]) -> None:
        return None


@dataclass(frozen=True)
class Staged:
    campaign_id: int
    calls: list[tuple[str, str]]  # (CallSid, answer URL) of each placed call


def stage_answers(services: Any, count: int) -> Staged:
    """A power-mode phone bank with `count` volunteers, each seat reserved for a placed call, and an
    organiser (who signs in with ORGANISER_PASSWORD)."""
    from dialer.domain.campaign_settings import CallingSettings
    from dialer.domain.campaigns import DialingMode
    from dialer.domain.roles import Role
    from dialer.domain.seats import AudioLeg
    from dialer.models import Constituency, User
    from dialer.services.calling import dialing, sessions
    from dialer.services.calling.upkeep import open_phone_bank
    from dialer.services.campaigns.campaigns import CampaignSpec, VoterSpec, add_voters, create_campaign
    from dialer.services.demo import demo
    from dialer.services.phone_bank import PLACE_CALL, softphone_identity

    numbers = [f"{prefix}{n:03d}" for prefix in DRAMA_RANGES for n in range(1000)]
    if count > len(numbers):
        raise SystemExit(f"at most {len(numbers):,} answered calls a run (rate x (seconds + warm-up))")
    provider, jobs = AcceptingProvider(), KeptJobs()
    bank = replace(
        services.phone_bank, telephony=provider, call_rate=NoCallLimit(), jobs=jobs, live=Unwatched()
    )
    now = bank.clock.now()
    with bank.uow() as uow:
        uow.session.add(
            Constituency.model_validate(demo.SEAT.model_dump())
        )  # the demo's seat, as a fresh row
        organiser = User(
            email=ORGANISER_EMAIL,
            password_hash=services.passwords.hash(ORGANISER_PASSWORD),
            first_name="Organiser",
            role=Role.ORGANISER,
            created_at=now,
        )
        volunteers = [
            User(
                email=f"bench-volunteer-{n}@example.org",
                password_hash="!",  # no password signs in: they exist to hold seats
                first_name=f"Volunteer{n}",
                role=Role.VOLUNTEER,
                created_at=now,
            )
            for n in range(count)
        ]
        uow.session.add_all([organiser, *volunteers])
        uow.commit()
        organiser_id, volunteer_ids = organiser.id or 0, [v.id or 0 for v in volunteers]
    campaign_id = create_campaign(
        bank.uow(),
        CampaignSpec(
            name="Bench answers",
            calling=CallingSettings(
                caller_id="020 7946 0000",
                dialing_mode=DialingMode.POWER,
                weekday_start="00:00",
                weekday_end="23:59",
                weekend_start="00:00",
                weekend_end="23:59",
            ),
            seats=[SEAT],
            script_md="# Hello\n\nAsk about the election.",
            information_message="This was Marginal calling for the bench campaign.",
        ),
        now=now,
        organiser_id=organiser_id,
    )
    add_voters(
        bank.uow(),
        campaign_id,
        [VoterSpec(f"Voter{n}", phone, area="St James's") for n, phone in enumerate(numbers[:count])],
        now=now,
    )
    open_phone_bank(bank, campaign_id)
    for user_id in volunteer_ids:
        seat = sessions.start_session(bank, user_id, campaign_id, AudioLeg.BROWSER)
        sessions.softphone_joined(
            bank, seat.session_id, f"client:{softphone_identity(user_id)}", "CA" + secrets.token_hex(16)
        )
    dialing.pace_campaign(bank, campaign_id)
    for job, args in jobs.jobs:
        if job == PLACE_CALL:
            dialing.place_call(bank, *args)
    if len(provider.answer_urls) != count:
        raise SystemExit(f"staging placed {len(provider.answer_urls)} calls, not {count}")
    return Staged(campaign_id, list(provider.answer_urls.items()))


def signed_answer(sid: str, url: str, account_sid: str, auth_token: str) -> Request:
    """The answer webhook Twilio sends when the voter picks up, signed with the account's auth token."""
    from twilio.request_validator import RequestValidator

    form = {
        "AccountSid": account_sid,
        "ApiVersion": "2010-04-01",
        "CallSid": sid,
        "CallStatus": "in-progress",
        "Called": "+441134960000",
        "CalledCountry": "GB",
        "Caller": "+442079460000",
        "CallerCountry": "GB",
        "Direction": "outbound-api",
        "From": "+442079460000",
        "FromCountry": "GB",
        "To": "+441134960000",
        "ToCountry": "GB",
    }
    parts = urlsplit(url)
    return Request(
        method="POST",
        path=f"{parts.path}?{parts.query}",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": RequestValidator(auth_token).compute_signature(url, form),
            "User-Agent": "TwilioProxy/1.1",
        },
        body=urlencode(form),
    )


# --- the servers -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    pid: int  # gunicorn's arbiter; its worker is its child


@contextmanager
def web_server(env: dict[str, str], port: int, log: Path) -> Iterator[Server]:
    """`python -m web` (gunicorn, gevent worker) on `port`, stopped on leaving."""
    import requests

    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "web", "--port", str(port)], env=env, stdout=out, stderr=out
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    requests.get(url + BASELINE_PATH, timeout=2).raise_for_status()
                    break
                except requests.RequestException:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"the web server did not start: see {log}") from None
                    time.sleep(0.2)
            yield Server(url, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


def sign_in(url: str) -> str:
    """The organiser's session cookie."""
    import requests

    browser = requests.Session()
    token = re.search(r'name="csrf-token" content="([^"]+)"', browser.get(url + "/sign-in").text)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    reply = browser.post(
        url + "/sign-in",
        data={"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    if reply.status_code != 303:
        raise SystemExit(f"the organiser could not sign in ({reply.status_code})")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)


# --- seat claims -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRun:
    claims: int
    distinct: int  # seats claimed: equal to `claims` unless a seat was claimed twice
    seconds: float

    @property
    def per_second(self) -> float:
        return self.claims / self.seconds if self.seconds else 0.0


def claim_until_empty(claim: Callable[[int], int | None], claimers: int) -> ClaimRun:
    """`claimers` threads each call `claim(call_id)` until it returns no seat; every seat claimed is kept."""
    seats: list[int] = []
    lock = threading.Lock()
    call_ids = iter(range(1, 2**31))

    def claimer() -> None:
        while True:
            with lock:
                call_id = next(call_ids)
            seat = claim(call_id)
            if seat is None:
                return
            with lock:
                seats.append(seat)

    with ThreadPoolExecutor(claimers) as pool:
        started = time.perf_counter()
        for future in [pool.submit(claimer) for _ in range(claimers)]:
            future.result()
        elapsed = time.perf_counter() - started
    return ClaimRun(len(seats), len(set(seats)), elapsed)


def stage_ready_seats(services: Any, count: int) -> tuple[int, list[Any]]:
    """A campaign with `count` ready seats in SQL, and the index the SQL claim needs; the seats as
    the seat board holds them."""
    import sqlalchemy as sa

    from dialer.domain.campaign_settings import CallingSettings
    from dialer.domain.roles import Role
    from dialer.domain.seats import SeatState
    from dialer.models import CallingSession, User
    from dialer.services.calling.seat_moves import board_seat
    from dialer.services.campaigns.campaigns import CampaignSpec, create_campaign

    now = services.clock.now()
    spec = CampaignSpec(name="Bench claims", calling=CallingSettings(caller_id="020 7946 0000"))
    campaign_id = create_campaign(services.uow(), spec, now=now)
    with services.uow() as uow:
        user = User(
            email="bench-claims@example.org",
            password_hash="!",
            first_name="Claims",
            role=Role.VOLUNTEER,
            created_at=now,
        )
        uow.session.add(user)
        uow.session.flush()
        seats = [
            CallingSession(
                campaign_id=campaign_id,
                user_id=user.id or 0,
                state=SeatState.READY,
                conference_name=f"seat-claims-{n}",
                started_at=now,
                state_changed_at=now,
            )
            for n in range(count)
        ]
        uow.session.add_all(seats)
        uow.commit()
    with services.engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE INDEX IF NOT EXISTS bench_ready_seats "
                "ON callingsession (campaign_id, state, state_changed_at, id)"
            )
        )
    return campaign_id, [board_seat(seat) for seat in seats]


def lua_claims(services: Any, campaign_id: int, seats: Sequence[Any], claimers: int) -> ClaimRun:
    """Every seat ready on the seat board, then claimed with the answer webhook's Lua script."""
    board = services.phone_bank.seats
    now = services.clock.now()
    for seat in seats:
        board.put(seat, since=now)

    def claim(call_id: int) -> int | None:
        seat = board.claim_for_answer(campaign_id, call_id, None, now=now, any_idle_seat=True)
        return None if seat is None else int(seat.session_id)

    return claim_until_empty(claim, claimers)


def sql_claims(services: Any, campaign_id: int, claimers: int) -> ClaimRun:
    """Every seat ready in SQL, then claimed one statement (and transaction) at a time under a row lock."""
    from sqlmodel import col, select, update

    from dialer.domain.seats import SeatState
    from dialer.models import CallingSession

    now = services.clock.now()
    with services.engine.begin() as connection:
        connection.execute(
            update(CallingSession)
            .where(col(CallingSession.campaign_id) == campaign_id)
            .values(state=SeatState.READY, current_call_id=None, state_changed_at=now)
        )
    longest_idle = (
        select(CallingSession.id)
        .where(col(CallingSession.campaign_id) == campaign_id, col(CallingSession.state) == SeatState.READY)
        .order_by(col(CallingSession.state_changed_at), col(CallingSession.id))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )

    def claim(call_id: int) -> int | None:
        with services.engine.begin() as connection:
            claimed = connection.execute(
                update(CallingSession)
                .where(col(CallingSession.id) == longest_idle, col(CallingSession.state) == SeatState.READY)
                .values(state=SeatState.CONNECTED, current_call_id=call_id, state_changed_at=now)
                .returning(col(CallingSession.id))
            ).first()
        return None if claimed is None else int(claimed[0])

    return claim_until_empty(claim, claimers)


# --- the run ---------------------------------------------------------------------------------------------


@dataclass
class Results:
    backend: str
    campaign_id: int
    staged: int
    staging_s: float
    baseline: Latencies
    answers: Latencies
    live_updates: int  # received by the organiser's dashboard during the answers
    baseline_cpu_ms: float | None  # the server's CPU time per request, warm-up included
    answer_cpu_ms: float | None
    lua: list[ClaimRun]
    sql: list[ClaimRun]

    @property
    def answers_ok(self) -> bool:
        return self.answers.expected == self.answers.sent

    @property
    def met(self) -> bool:
        return self.answers_ok and self.answers.p99 < TARGET_P99_S


def run(args: argparse.Namespace, folder: Path) -> Results:
    """Stage the calls, measure the baseline and the answers over HTTP, then the seat claims."""
    from dialer.bootstrap import build
    from dialer.config import Settings

    engine = scratch_database(args.database_url)
    scratch_redis(args.redis_url)
    ports = [free_port() for _ in range(args.web_processes)]
    secret = secrets.token_hex(32)
    public_url = f"http://127.0.0.1:{ports[0]}"  # the load balancer's address: what Twilio signs
    settings = Settings.from_env(
        database_url=args.database_url,
        redis_url=args.redis_url,
        public_base_url=public_url,
        secret_key=secret,
        instance_path=folder,
        mode="loopback",
    )
    services = build(settings, engine=engine)
    try:
        count = round(args.rate * (args.warmup + args.seconds))
        started = time.perf_counter()
        staged = stage_answers(services, count)
        staging_s = time.perf_counter() - started
        answers = [
            signed_answer(sid, url, settings.account_sid, settings.auth_token) for sid, url in staged.calls
        ]
        env = dict(os.environ) | {
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "PUBLIC_BASE_URL": public_url,
            "SECRET_KEY": secret,
            "INSTANCE_PATH": str(folder),
            "MARGINAL_MODE": "loopback",
        }
        with ExitStack() as stack:
            servers = [
                stack.enter_context(web_server(env, port, folder / f"web-{port}.log")) for port in ports
            ]
            phases = [
                Phase("baseline", [Request("GET", BASELINE_PATH)] * len(answers)),
                Phase("answers", answers, expect=JOINED),
            ]
            dashboard = Dashboard(sign_in(servers[0].url), staged.campaign_id)
            baseline, answered = send_open_loop(
                servers, phases, rate=args.rate, folder=folder, dashboard=dashboard
            )
        claim_campaign, claim_seats = stage_ready_seats(services, args.claim_seats)
        lua, sql = [], []
        for _ in range(args.claim_runs):
            lua.append(lua_claims(services, claim_campaign, claim_seats, args.claimers))
            sql.append(sql_claims(services, claim_campaign, args.claimers))
    finally:
        services.close()
    return Results(
        backend={"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(engine.url.get_backend_name(), "?")
        + " + Redis",
        campaign_id=staged.campaign_id,
        staged=count,
        staging_s=staging_s,
        baseline=latencies("baseline (static file)", baseline.replies, args.warmup),
        answers=latencies("answer webhook", answered.replies, args.warmup),
        live_updates=answered.live_updates,
        baseline_cpu_ms=_per_request_ms(baseline),
        answer_cpu_ms=_per_request_ms(answered),
        lua=lua,
        sql=sql,
    )


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} ms"


def _per_request_ms(phase: PhaseResult) -> float | None:
    return None if phase.server_cpu_s is None else phase.server_cpu_s / len(phase.replies) * 1000


def _median_rate(runs: Sequence[ClaimRun]) -> float:
    return statistics.median(r.per_second for r in runs)


def _rates(runs: Sequence[ClaimRun]) -> str:
    return ", ".join(f"{r.per_second:,.0f}" for r in runs)


def report(args: argparse.Namespace, results: Results, path: Path = REPORT) -> None:
    """Write (or replace) this benchmark's section of `path`."""
    b, a = results.baseline, results.answers
    lua, sql = _median_rate(results.lua), _median_rate(results.sql)
    load = os.getloadavg()[0]

    def row(name: str, x: Latencies, cpu: float | None) -> str:
        return (
            f"| {name} | {x.sent:,} | {x.expected:,} | {x.rate:.0f}/s "
            f"| {x.p50 * 1000:.1f} ms | {x.p99 * 1000:.1f} ms | {x.max * 1000:.1f} ms | {_ms(cpu)} |"
        )

    body = f"""## Dialer: the answer webhook and seat claims (issue 5): `scripts/bench_dialer.py`

{platform.machine()} / {os.cpu_count()} CPUs shared by the server, the load generator, {results.backend} and
other work (load average {load:.1f} at the end of the run), {date.today().isoformat()}. {args.web_processes} `python -m web` process(es)
(gunicorn, gevent worker) with an organiser's dashboard watching the campaign over Socket.IO; a load
generator in its own process sends requests open loop at {args.rate:g} a second for {args.seconds:g} s after {args.warmup:g} s
of warm-up; latency runs from each request's due time to the end of its response. Each answer
webhook is signed as Twilio signs it and answers one of {results.staged:,} calls staged by the product's power
dialing (a seat reserved and a call placed for each voter): it claims the seat in Redis, writes the
call and the seat, counts and publishes the live figures ({results.live_updates:,} updates reached the dashboard)
and returns the TwiML joining the voter to the seat. Baseline: a static file from the same server,
client and rate, in the same run.

| requests | counted | as expected | completed | p50 | p99 | max | server CPU a request |
|---|---:|---:|---:|---:|---:|---:|---:|
{row("baseline: static file", b, results.baseline_cpu_ms)}
{row("answer webhook", a, results.answer_cpu_ms)}

The answer webhook's p99 is {a.p99 / b.p99 if b.p99 else math.nan:.1f}x the baseline's (p50 {a.p50 / b.p50 if b.p50 else math.nan:.1f}x).
Target: p99 under 50 ms at {args.rate:g} answered calls a second: **{"met" if results.met else "NOT met"}**.

Seat claims: {args.claim_seats:,} ready seats claimed by {args.claimers} threads until none is left, {args.claim_runs} runs:

| claim | median claims/s | runs |
|---|---:|---|
| Lua script on the seat board (the product's) | {lua:,.0f} | {_rates(results.lua)} |
| baseline: SQL `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)` | {sql:,.0f} | {_rates(results.sql)} |

The Lua claim runs at {lua / sql if sql else math.nan:.1f}x the SQL claim's rate.
{NOTES}
Re-run: `.venv/bin/python scripts/bench_dialer.py` (`--database-url` and `--redis-url` for other
servers: a scratch database and an empty Redis database; `--web-processes N` for N servers
behind the load generator's round robin, 2 by default: one per core, as a deployment runs them)."""
    write_section(BEGIN, END, body, path)


#: Kept in the report: what the answer path was, and what changed (filled in from measured runs).
NOTES = """
"""


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="answered calls a second")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of load counted")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load not counted")
    # One per core, as a deployment runs them (gunicorn's one gevent worker per process and port).
    parser.add_argument("--web-processes", type=int, default=2)
    parser.add_argument("--claim-seats", type=int, default=3000)
    parser.add_argument("--claimers", type=int, default=8)
    parser.add_argument("--claim-runs", type=int, default=5)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--no-report", action="store_true", help="print the figures only")
    parser.add_argument("--as-load-generator", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if (
        args.rate <= 0
        or args.seconds <= 0
        or args.warmup < 0
        or min(args.web_processes, args.claimers, args.claim_runs, args.claim_seats) < 1
    ):
        parser.error("rates, durations and counts must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    if args.as_load_generator:
        _load_generator(*args.as_load_generator)
        return 0
    with tempfile.TemporaryDirectory(prefix="marginal-bench-dialer-") as tmp:
        results = run(args, Path(tmp))
    print(f"staged {results.staged} answered calls in {results.staging_s:.0f} s ({results.backend})")
    print(results.baseline.line() + f"; server CPU {_ms(results.baseline_cpu_ms)} a request")
    print(
        results.answers.line() + f"; server CPU {_ms(results.answer_cpu_ms)} a request;"
        f" the dashboard got {results.live_updates} live updates"
    )
    print(f"Lua seat claims: median {_median_rate(results.lua):,.0f}/s ({_rates(results.lua)})")
    print(f"SQL seat claims (baseline): median {_median_rate(results.sql):,.0f}/s ({_rates(results.sql)})")
    if not args.no_report:
        report(args, results)
    if not results.answers_ok:
        print(
            f"{results.answers.sent - results.answers.expected} answers did not join a seat", file=sys.stderr
        )
    return 0 if results.met else 1


if __name__ == "__main__":
    sys.exit(main())
