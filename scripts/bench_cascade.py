"""Link opens and pledges through sharers' links, open loop, against the running web stack.

The deployment is the loopback one (`harness.loopback.Deployment`: web processes under gunicorn/gevent
behind the balancer, the simulator, PostgreSQL or SQLite, Redis), the clients an asyncio process on
the same machine. For `--seconds` (default 300) it opens sharers' links at `--rate` a second
(default 300, each open sent at its scheduled moment whether or not earlier ones were answered)
and, spread evenly over the window, `--pledges` people (default 10,000 in 5 minutes, the same share
of a shorter run) open a link, load the pledge page and pledge as new people (each from an address
of their own, so the page's per-address limit is not what is measured); one in ten then fetches
their own link and it joins the links being opened and pledged through, so the cascade grows
generations deep.

Then the checks, against SQL: every pledge answered 303 is stored (none lost); every sharer's
credits (ShareCredit rows, and `cascade.counts_of`, what the sharer's page shows) equal a recount
from the clients' own record of which link each pledge came through and who brought each sharer;
every open answered is counted (after `cascade.flush_opens`). Printed: link-open p50/p99 (from each
open's scheduled moment to its answer), pledges per second, and the highest open rate sustained with
p99 under 100 ms (steps of `--step-seconds` above or below `--rate`). Exits non-zero when anything is
lost or miscounted, or when the link-open p99 at `--rate` is 100 ms or more.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/scratch .venv/bin/python scripts/bench_cascade.py \\
        [--seconds 300] [--rate 300] [--pledges N] [--web 2] [--step-seconds 20] [--no-ramp] [--no-report]

DATABASE_URL is emptied (use a scratch database); unset, SQLite in a temporary folder. Redis is a
server of the deployment's own. On a PostgreSQL server running with autovacuum off (as on the
development machines), the tables it fills are analysed every ANALYSE_EVERY_S seconds during the run, as
autovacuum would on a production server as they grow: query plans are then chosen from real
statistics, as they would be there (a look-up that missed a partial index showed only so).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness is not installed: the checkout

from benchmark_report import write_section

from harness.loopback.deployment import Deployment, Shape

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench_cascade:begin -->", "<!-- bench_cascade:end -->"
TARGET_P99_MS = 100.0
PLEDGES_PER_5_MIN = 10_000
ROOT_SHARERS = 20
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_OWN_LINK = re.compile(r'data-share-url="[^"]*/s/([^"]+)"')


@dataclass
class Cascade:
    """What the clients did: who owns each link, which link brought each sharer, each pledge's link."""

    owner: dict[str, str] = field(default_factory=dict)  # link code -> sharer's e-mail
    brought_by: dict[str, str] = field(default_factory=dict)  # sharer's e-mail -> link code
    pledged: dict[str, str] = field(default_factory=dict)  # pledger's e-mail -> link code
    codes: list[str] = field(default_factory=list)

    def expected_credits(self) -> Counter[str]:
        credits: Counter[str] = Counter()
        for code in self.pledged.values():
            sharer: str | None = self.owner[code]
            while sharer is not None:
                credits[sharer] += 1
                parent = self.brought_by.get(sharer)
                sharer = self.owner[parent] if parent else None
        return credits


@dataclass
class Window:
    rate: float
    seconds: float
    open_ms: list[float] = field(default_factory=list)
    #: each answered open's (second of the window it was due in, milliseconds)
    by_second: list[tuple[int, float]] = field(default_factory=list)
    start: float = 0.0
    opens_answered: int = 0
    open_errors: int = 0
    pledges_tried: int = 0
    pledges_answered: int = 0
    pledge_errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    def p(self, share: float) -> float:
        if not self.open_ms:
            return float("inf")
        ordered = sorted(self.open_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def slowest_seconds(self, count: int = 5) -> list[tuple[int, float]]:
        """The seconds of the window whose opens waited longest (second, its slowest open in ms):
        one stall, or a backlog building over minutes."""
        worst: dict[int, float] = {}
        for second, ms in self.by_second:
            worst[second] = max(ms, worst.get(second, 0.0))
        return sorted(worst.items(), key=lambda item: -item[1])[:count]


async def _open(http: aiohttp.ClientSession, base: str, code: str, due: float, window: Window) -> str | None:
    try:
        async with http.get(f"{base}/s/{code}", allow_redirects=False) as reply:
            await reply.read()
            if reply.status != 303:
                window.open_errors += 1
                window.pledge_errors[f"open status {reply.status}"] += 1
                return None
            window.opens_answered += 1
            waited = (time.perf_counter() - due) * 1000
            window.open_ms.append(waited)
            window.by_second.append((int(due - window.start), waited))
            return reply.headers["Location"]
    except aiohttp.ClientError as error:
        window.open_errors += 1
        window.pledge_errors[f"open {type(error).__name__}"] += 1
        return None


async def _pledge(
    connector: aiohttp.BaseConnector, base: str, number: int, due: float, cascade: Cascade, window: Window
) -> None:
    code = random.choice(cascade.codes)
    email = f"pledger{number}@bench.invalid"
    address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
    window.pledges_tried += 1
    async with aiohttp.ClientSession(
        connector=connector,
        connector_owner=False,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        headers={"X-Forwarded-For": address},
    ) as http:
        where = await _open(http, base, code, due, window)
        if where is None:
            window.pledge_errors["open"] += 1
            return
        try:
            async with http.get(base + where) as reply:
                found = _CSRF.search(await reply.text())
            if found is None:
                window.pledge_errors["page"] += 1
                return
            form = {"csrf_token": found.group(1), "name": f"Pledger {number}", "email": email}
            async with http.post(base + where, data=form, allow_redirects=False) as reply:
                await reply.read()
                if reply.status != 303:
                    window.pledge_errors[f"status {reply.status}"] += 1
                    return
            cascade.pledged[email] = code
            window.pledges_answered += 1
            if number % 10 == 0:  # this pledger shares their own link in turn
                async with http.get(base + where.split("?")[0]) as reply:
                    own = _OWN_LINK.search(await reply.text())
                if own is None:
                    window.pledge_errors["no own link"] += 1
                    return
                cascade.owner[own.group(1)] = email
                cascade.brought_by[email] = code
                cascade.codes.append(own.group(1))
        except aiohttp.ClientError as error:
            window.pledge_errors[type(error).__name__] += 1


async def _window(
    base: str, rate: float, seconds: float, pledges: int, cascade: Cascade, first: int
) -> Window:
    """Opens at `rate` a second in all (a pledge's own open among them) for `seconds`, open loop."""
    window = Window(rate, seconds)
    # under gunicorn's 2 s keep-alive, so the client never reuses a connection the server is closing
    connector = aiohttp.TCPConnector(limit=2000, limit_per_host=2000, keepalive_timeout=1.0)
    opens = int(rate * seconds)
    pledge_at = {int(index * opens / pledges) for index in range(pledges)} if pledges else set()
    tasks: set[asyncio.Task[object]] = set()
    async with aiohttp.ClientSession(connector=connector, connector_owner=False) as http:
        start = window.start = time.perf_counter()
        number = first
        for index in range(opens):
            due = start + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))  # yields even when behind
            job: Coroutine[object, object, object]
            if index in pledge_at:
                job = _pledge(connector, base, number, due, cascade, window)
                number += 1
            else:
                job = _open(http, base, random.choice(cascade.codes), due, window)
            task = asyncio.ensure_future(job)
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=120)
        window.elapsed = time.perf_counter() - start
    await connector.close()
    return window


def _prepare(database_url: str) -> tuple[int, int]:
    """A fresh schema, an active campaign with a pledge; returns the campaign's and pledge's ids."""
    from sqlmodel import SQLModel

    from dialer.adapters import db, schema
    from dialer.domain.campaigns import CampaignStatus
    from dialer.models import Campaign, Pledge

    engine = db.make_engine(database_url)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    schema.upgrade(engine)
    with db.SqlUnitOfWork(engine) as uow:
        campaign = Campaign(
            name="Polling day",
            slug="polling-day",
            caller_id="+442079460000",
            status=CampaignStatus.ACTIVE,
            created_at=datetime.now(UTC),
        )
        uow.session.add(campaign)
        uow.session.flush()
        pledge = Pledge(campaign_id=campaign.id or 0, slug="knock-up", text="I will knock up on polling day")
        uow.session.add(pledge)
        uow.commit()
        ids = campaign.id or 0, pledge.id or 0
    engine.dispose()
    return ids


def _root_links(database_url: str, pledge_id: int, cascade: Cascade) -> None:
    from dialer.adapters import db
    from dialer.clock import SystemClock
    from dialer.services.signups import cascade as sharing

    engine = db.make_engine(database_url)
    for number in range(ROOT_SHARERS):
        email = f"volunteer{number}@bench.invalid"
        link = sharing.link_for(
            db.SqlUnitOfWork(engine),
            SystemClock(),
            owner_email=email,
            owner_name=f"Volunteer {number}",
            kind="pledge",
            target_id=pledge_id,
        )
        cascade.owner[link.code] = email
        cascade.codes.append(link.code)
    engine.dispose()


@dataclass
class Verdict:
    lost: int
    wrong_credits: int
    wrong_pages: int
    opens_missing: int
    generations: int
    conversions: int

    @property
    def ok(self) -> bool:
        return not (self.lost or self.wrong_credits or self.wrong_pages or self.opens_missing)


def _check(database_url: str, redis_url: str, cascade: Cascade, opens_answered: int) -> Verdict:
    import redis
    from sqlalchemy import func
    from sqlmodel import col, select

    from dialer.adapters import db
    from dialer.adapters.redis_share_opens import RedisShareOpens
    from dialer.models import PledgeSignup, ShareConversion, ShareCredit, ShareOpenCount
    from dialer.services.signups import cascade as sharing

    engine = db.make_engine(database_url)
    connection = redis.Redis.from_url(redis_url)
    sharing.flush_opens(db.SqlUnitOfWork(engine), RedisShareOpens(connection))
    connection.close()
    with db.SqlUnitOfWork(engine) as uow:
        stored = set(uow.session.exec(select(PledgeSignup.email)).all())
        credits = dict(
            uow.session.exec(
                select(ShareCredit.sharer_email, func.count()).group_by(col(ShareCredit.sharer_email))
            ).all()
        )
        counted_opens = uow.session.exec(select(func.coalesce(func.sum(ShareOpenCount.count), 0))).one()
        generations = uow.session.exec(select(func.max(ShareConversion.generation))).one() or 0
        conversions = uow.session.exec(select(func.count()).select_from(ShareConversion)).one()
    expected = cascade.expected_credits()
    wrong = sum(1 for email in set(expected) | set(credits) if expected[email] != credits.get(email, 0))
    sharers = set(cascade.owner.values())
    wrong_pages = sum(
        1
        for email in sharers
        if sharing.counts_of(db.SqlUnitOfWork(engine), email).tree_conversions != expected[email]
    )
    engine.dispose()
    return Verdict(
        lost=len(set(cascade.pledged) - stored),
        wrong_credits=wrong,
        wrong_pages=wrong_pages,
        opens_missing=max(0, opens_answered - int(counted_opens)),
        generations=int(generations),
        conversions=int(conversions),
    )


def _ramp(base: str, rate: float, main: Window, step_seconds: float, cascade: Cascade) -> float | None:
    """The highest open rate (opens only) answered with p99 under the target, in steps from `rate`."""
    held = rate if main.p(0.99) < TARGET_P99_MS and not main.open_errors else None
    step = rate
    if held is None:
        while step > 25:
            step = round(step / 1.5)
            run = asyncio.run(_window(base, step, step_seconds, 0, cascade, 0))
            print(f"  step {step}/s: p99 {run.p(0.99):.1f} ms, errors {run.open_errors}", flush=True)
            if run.p(0.99) < TARGET_P99_MS and not run.open_errors:
                return float(step)
        return None
    while True:
        step = round(step * 1.33)
        run = asyncio.run(_window(base, step, step_seconds, 0, cascade, 0))
        print(f"  step {step}/s: p99 {run.p(0.99):.1f} ms, errors {run.open_errors}", flush=True)
        if run.p(0.99) >= TARGET_P99_MS or run.open_errors:
            return held
        held = float(step)


def _report(
    args: argparse.Namespace, main: Window, verdict: Verdict, highest: float | None, backend: str, load: float
) -> None:
    short = "" if args.seconds >= 300 else f" (a SHORT run of {args.seconds:g} s, not the full 5 minutes)"
    body = f"""## Sharing with a cascade: link opens and pledges (`scripts/bench_cascade.py`)

{date.today().isoformat()}, {platform.node() or "this machine"} ({os.cpu_count()} cores, shared), {backend},
{args.web} web processes behind the loopback balancer, the clients on the same machine{short};
the machine's load average when it started was {load:.1f} (other work on the same 2 cores).
Result: {"target met" if ok(main, verdict) else f"target MISSED (link-open p99 must be under {TARGET_P99_MS:g} ms with nothing lost)"}.

Open loop: {main.rate:g} link opens a second for {main.seconds:g} s, {args.pledges} of them
followed by a pledge (one pledger in ten then shares their own link, so the cascade grows).

| figure | value |
|---|---|
| link opens answered | {main.opens_answered} (errors {main.open_errors}) |
| link-open p50 / p99 (from the scheduled moment) | {main.p(0.5):.1f} ms / {main.p(0.99):.1f} ms |
| pledges stored / answered 303 | {main.pledges_answered - verdict.lost} / {main.pledges_answered} (tried {main.pledges_tried}; errors {dict(main.pledge_errors) or "none"}) |
| pledges per second | {main.pledges_answered / main.elapsed:.1f} |
| lost pledges, wrong credits, wrong sharer pages, opens not counted | {verdict.lost}, {verdict.wrong_credits}, {verdict.wrong_pages}, {verdict.opens_missing} |
| conversions credited, deepest generation | {verdict.conversions}, {verdict.generations} |
| highest open rate with p99 < {TARGET_P99_MS:g} ms | {f"{highest:g}/s" if highest else "not reached"} (steps of {args.step_seconds:g} s) |

Checks: every pledge answered 303 is in SQL; each sharer's credits (SQL, and `cascade.counts_of`)
equal a recount from the clients' record of each pledge's link and who brought each sharer;
every open answered is counted after `cascade.flush_opens`.
"""
    write_section(BEGIN, END, body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--pledges", type=int, help="default: 10,000 per 5 minutes of --seconds")
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument("--no-ramp", action="store_true")
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    if args.pledges is None:
        args.pledges = round(PLEDGES_PER_5_MIN * args.seconds / 300)
    random.seed(1)
    load = os.getloadavg()[0]
    print(f"load average {load:.1f}", flush=True)
    database_url = os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="marginal-cascade-") as tmp:
        folder = Path(tmp)
        shape = Shape(web=args.web, workers=0, database_url=database_url)
        deployment = Deployment(shape, folder)
        deployment.env["TRUSTED_PROXIES"] = "1"  # each pledger's own address, as behind a real proxy
        _, pledge_id = _prepare(deployment.database_url)
        cascade = Cascade()
        _root_links(deployment.database_url, pledge_id, cascade)
        with deployment:
            os.environ["BENCH_CASCADE_LOGS"] = str(folder)
            base = deployment.public_url
            print(
                f"warming up, then {args.rate:g} opens/s for {args.seconds:g} s with {args.pledges} pledges",
                flush=True,
            )
            asyncio.run(_window(base, min(args.rate, 50), 3, 0, cascade, 0))
            warm_opens = _counted_so_far(deployment.database_url, deployment.redis_url)
            stop_analysing = threading.Event()
            analyser = threading.Thread(
                target=_analyse_as_autovacuum_would,
                args=(deployment.database_url, stop_analysing),
                daemon=True,
            )
            analyser.start()
            main_window = asyncio.run(_window(base, args.rate, args.seconds, args.pledges, cascade, 1))
            stop_analysing.set()
            verdict = _check(
                deployment.database_url,
                deployment.redis_url,
                cascade,
                main_window.opens_answered + warm_opens,
            )
            if main_window.pledge_errors:
                _print_server_errors(deployment, args.web)
            highest = (
                None if args.no_ramp else _ramp(base, args.rate, main_window, args.step_seconds, cascade)
            )
    backend = "PostgreSQL" if database_url and "postgres" in database_url else "SQLite"
    backend += " + Redis (the deployment's own server)"
    errors = dict(main_window.pledge_errors)
    print(
        f"opens: {main_window.opens_answered} answered, {main_window.open_errors} errors, "
        f"p50 {main_window.p(0.5):.1f} ms, p99 {main_window.p(0.99):.1f} ms\n"
        f"pledges: {main_window.pledges_answered} of {main_window.pledges_tried} answered "
        f"({main_window.pledges_answered / main_window.elapsed:.1f}/s), errors {errors or 'none'}\n"
        f"checks: lost {verdict.lost}, wrong credits {verdict.wrong_credits}, wrong sharer pages "
        f"{verdict.wrong_pages}, opens not counted {verdict.opens_missing}; {verdict.conversions} "
        f"conversions, deepest generation {verdict.generations}\n"
        f"highest open rate with p99 < {TARGET_P99_MS:g} ms: {highest if highest else 'not reached'}\n"
        "slowest seconds (second of the window: its slowest open): "
        + ", ".join(f"{second} s: {ms:.0f} ms" for second, ms in main_window.slowest_seconds())
    )
    if not args.no_report:
        _report(args, main_window, verdict, highest, backend, load)
    return 0 if ok(main_window, verdict) else 1


def ok(main: Window, verdict: Verdict) -> bool:
    """Nothing lost or miscounted, every pledge answered, and the link-open p99 under the target."""
    return verdict.ok and main.pledges_answered == main.pledges_tried and main.p(0.99) < TARGET_P99_MS


def _print_server_errors(deployment: Deployment, web: int) -> None:
    """The kinds of exception the web processes logged (what the clients' errors were)."""
    kinds: Counter[str] = Counter()
    for index in range(web):
        text = deployment.log_tail(f"web-{index}", 100_000)
        kinds.update(re.findall(r"^([\w.]+(?:Error|Exception|Timeout)\b[^\n]{0,80})", text, re.MULTILINE))
    for kind, count in kinds.most_common(5):
        print(f"  server: {count} x {kind}")


#: How often the tables are analysed during a run when the server's autovacuum is off.
ANALYSE_EVERY_S = 20.0
#: The tables a run fills (autovacuum analyses a table once a tenth of it has changed).
GROWING_TABLES = (
    "pledgesignup",
    "sharelink",
    "sharearrival",
    "shareconversion",
    "sharecredit",
    "shareopencount",
)


def _analyse_as_autovacuum_would(database_url: str, stop: threading.Event) -> None:
    """ANALYZE every ANALYSE_EVERY_S seconds until `stop`, if the server's autovacuum is off."""
    from sqlalchemy import text

    from dialer.adapters import db

    engine = db.make_engine(database_url)
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        if connection.execute(text("SHOW autovacuum")).scalar() == "on":
            return
    while not stop.wait(ANALYSE_EVERY_S):
        with engine.connect() as connection:
            connection.execute(text(f"ANALYZE {', '.join(GROWING_TABLES)}"))
            connection.commit()
    engine.dispose()


def _counted_so_far(database_url: str, redis_url: str) -> int:
    """Opens of the warm-up, flushed to SQL now, so the window's own are checked on their own."""
    import redis
    from sqlalchemy import func
    from sqlmodel import select

    from dialer.adapters import db
    from dialer.adapters.redis_share_opens import RedisShareOpens
    from dialer.models import ShareOpenCount
    from dialer.services.signups import cascade as sharing

    engine = db.make_engine(database_url)
    connection = redis.Redis.from_url(redis_url)
    sharing.flush_opens(db.SqlUnitOfWork(engine), RedisShareOpens(connection))
    connection.close()
    with db.SqlUnitOfWork(engine) as uow:
        counted = uow.session.exec(select(func.coalesce(func.sum(ShareOpenCount.count), 0))).one()
    engine.dispose()
    return int(counted)


if __name__ == "__main__":
    sys.exit(main())
