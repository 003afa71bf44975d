"""Simulated volunteers and organiser dashboards: real HTTP and Socket.IO clients, in client processes.

A volunteer does what the calling page does, from an address of its own (`client_address`): signs
in (the form, its CSRF token, argon2id on the server), opens the calling page, starts a session
with "call my phone" (the simulator answers their number and presses 1), joins their seat's room on `/live` (websocket transport), and for every
conversation that reaches wrap-up posts an outcome through the JSON API with an idempotency key,
retrying until it gets a 2xx. After a reconnection, or when nothing has moved for a while, it reads
its seat back (`GET /call/session/<id>`), as a reloaded page would. When its phone drops mid-call
(the seat is held: `away`), it asks for it to be rung again, as the page's "Ring my phone again"
does, and presses 1 (the simulator's behaviour for its number). A dashboard does what the
dashboard page does: watches the campaign's room, paints from the snapshot, applies `tally` deltas
by version, and fetches a fresh snapshot on `reconciled`, on reconnection, or when a version has
been missing for 3 s.

Each client process (`python -m harness.loopback.crowd`) runs a slice of the crowd on one asyncio
loop and takes commands on stdin, one per line, answering each with a line on stdout:
`drop <share> <seconds>` (that share of all the volunteers, taken from those on a call, lose their
socket and reconnect `seconds` later), `reload <share>` (that share of all the volunteers, taken
from those on a call, reload their page: the socket goes, the page is fetched again, the socket
comes back), `report <path>` (write what happened so far as JSON), `stop` (end the sessions,
disconnect, exit). `CrowdProcesses` starts and commands them from the harness.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import aiohttp
import socketio

NAMESPACE = "/live"
#: The checkout this harness runs from (its parent folder holds the `harness` package).
CHECKOUT = Path(__file__).resolve().parents[2]
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
_FORM_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: How long an outcome is retried (same idempotency key) before it counts as not saved.
OUTCOME_RETRY_S = 90.0
#: Outcomes the simulated volunteers record, with their weights (and the survey answer for "talked").
DISPOSITIONS = (("talked", 70), ("refused", 20), ("wrong_number", 5), ("do_not_call", 5))
SUPPORT = ("for", "against", "undecided")
#: A dashboard fetches a fresh snapshot when a version has been missing this long (as the page does).
GAP_S = 3.0


@dataclass
class Errors:
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, what: str) -> None:
        self.counts[what] += 1


def client_address(number: int) -> str:
    """The address client `number` of the crowd calls from (its own, as each volunteer's home is)."""
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


class Browser:
    """One signed-in person's cookies and CSRF token over aiohttp, from their own address.

    The balancer stands where nginx stands in production but passes bytes, not headers, so each
    client sends the X-Forwarded-For the proxy would have added (the deployment trusts one proxy):
    the product's per-address limits then see a crowd of people, not one address.
    """

    def __init__(self, url: str, errors: Errors, address: str) -> None:
        self.url = url
        self.errors = errors
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=60),
            headers={"X-Forwarded-For": address},
        )
        self.csrf = ""

    async def sign_in(self, email: str, password: str, page: str) -> None:
        async with self.http.get(f"{self.url}/sign-in") as reply:
            form = await reply.text()
        token = _FORM_CSRF.search(form) or _CSRF.search(form)
        if token is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        data = {"email": email, "password": password, "csrf_token": token.group(1)}
        async with self.http.post(f"{self.url}/sign-in", data=data, allow_redirects=False) as reply:
            if reply.status != 303:
                raise RuntimeError(f"signing in as {email} answered {reply.status}")
        async with self.http.get(f"{self.url}{page}") as reply:
            found = _CSRF.search(await reply.text())
        if found is None:
            raise RuntimeError(f"no CSRF token on {page}")
        self.csrf = found.group(1)

    async def get_json(self, path: str) -> tuple[int, Any]:
        async with self.http.get(f"{self.url}{path}", headers={"Accept": "application/json"}) as reply:
            return reply.status, await reply.json(content_type=None)

    async def read(self, path: str, what: str) -> Any | None:
        """The JSON at `path`, or None with the failure counted under `what`."""
        try:
            status, body = await self.get_json(path)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.errors.add(f"{what} {type(exc).__name__}")
            return None
        if status != 200:
            self.errors.add(f"{what} {status}")
            return None
        return body

    async def post_json(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        async with self.http.post(
            f"{self.url}{path}", json=body, headers={"X-CSRFToken": self.csrf}
        ) as reply:
            try:
                payload = await reply.json(content_type=None)
            except (json.JSONDecodeError, aiohttp.ContentTypeError):
                payload = None
            return reply.status, payload


def _client(browser: Browser) -> socketio.AsyncClient:
    """A Socket.IO client that reconnects by itself, sending the browser's cookies every time (cookies
    given as a header are sent on the first connection only)."""
    return socketio.AsyncClient(
        reconnection=True, reconnection_delay=0.5, reconnection_delay_max=3, http_session=browser.http
    )


class Volunteer:
    def __init__(
        self,
        url: str,
        campaign: int,
        email: str,
        password: str,
        *,
        wrap_s: float,
        quiet_s: float,
        address: str,
    ) -> None:
        self.url = url
        self.campaign = campaign
        self.email = email
        self.password = password
        self.wrap_s = wrap_s
        self.quiet_s = quiet_s
        self.errors = Errors()
        self.browser = Browser(url, self.errors, address)
        self.sio = _client(self.browser)
        self.session = 0
        self.state = ""
        self.since = ""
        self.call: int | None = None
        self.ready_at: float | None = None
        self.last_event = time.monotonic()
        self.waits: list[float] = []  # seat ready -> voter connected, seconds
        self.card_lags: list[float] = []  # voter answered -> put-through shown on the page, seconds
        self.acknowledged: dict[int, int] = {}  # call -> outcome id: the product said it was saved
        self.unsaved: list[int] = []  # calls whose outcome was never acknowledged
        self.posting: set[int] = set()
        self.ended = False
        self.signed_in = False
        self.started = False
        self.dropped = False
        self.reloaded = False
        self.ringing_again = False
        self.rung_again = 0
        self.tasks: set[asyncio.Task[None]] = set()
        self.sio.on("connect", self._on_connect, namespace=NAMESPACE)
        self.sio.on("seat", self._on_seat, namespace=NAMESPACE)

    async def sign_in(self, tries: int = 3) -> None:
        """Sign in and open the calling page (`start` tries again if this did not work)."""
        for attempt in range(tries):
            try:
                await self.browser.sign_in(self.email, self.password, f"/call/{self.campaign}")
                self.signed_in = True
                return
            except Exception as exc:  # counted: a volunteer who could not start is not held
                self.errors.add(f"start: {type(exc).__name__}: {str(exc)[:80]}")
                if attempt + 1 < tries:
                    await asyncio.sleep(1.0)

    async def start(self, tries: int = 3) -> None:
        """Sign in (unless done), start a session and connect; a try that times out is made again
        (starting a session is idempotent: the volunteer's live session comes back)."""
        for attempt in range(tries):
            try:
                if not self.signed_in:
                    await self.browser.sign_in(self.email, self.password, f"/call/{self.campaign}")
                    self.signed_in = True
                status, body = await self.browser.post_json(
                    f"/call/{self.campaign}/session", {"audio": "phone"}
                )
                if status != 200:
                    raise RuntimeError(f"starting a session answered {status}: {body}")
                self.session = int(body["session"])
                self._move(body["state"], None, "")
                self.ready_at = None
                await self._connect()
                self.started = True
                return
            except Exception as exc:  # counted: a volunteer who could not start is not held
                self.errors.add(f"start: {type(exc).__name__}: {str(exc)[:80]}")
                if attempt + 1 < tries:
                    await asyncio.sleep(1.0)

    async def _connect(self) -> None:
        await self.sio.connect(self.url, transports=["websocket"], namespaces=[NAMESPACE], wait_timeout=30)

    async def _on_connect(self) -> None:
        if self.session:
            self._spawn(self._rejoin())

    async def _rejoin(self) -> None:
        """Join the seat's room, then read the seat back: whatever changed before the join is seen."""
        try:
            await self.sio.call("join", {"seat": self.session}, namespace=NAMESPACE, timeout=15)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError) as exc:
            self.errors.add(f"join {type(exc).__name__}")
        await self.resync()

    async def _on_seat(self, payload: dict[str, Any]) -> None:
        if payload.get("session") != self.session:
            return
        since = payload.get("since") or ""
        if since and self.since and since < self.since:
            return  # an older change arriving late (events come from several processes)
        if payload["state"] == "connected" and self.state != "connected" and since:
            self.card_lags.append(time.time() - datetime.fromisoformat(since).timestamp())
        self._move(payload["state"], payload.get("call"), since)
        self._phone_away(payload)

    def _phone_away(self, seat: dict[str, Any]) -> None:
        """The seat is held because the volunteer's phone dropped: ask for it to be rung again."""
        if seat.get("away") and seat.get("audio") == "phone" and not self.ringing_again:
            self.ringing_again = True
            self._spawn(self._ring_again())

    async def _ring_again(self) -> None:
        """'Ring my phone again': the seat is held while the volunteer's phone is rung and they press 1."""
        await asyncio.sleep(random.uniform(0.5, 2.0))
        try:
            status, _ = await self.browser.post_json(f"/call/{self.campaign}/session", {"audio": "phone"})
            if status == 200:
                self.rung_again += 1
            else:
                self.errors.add(f"ring again {status}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.errors.add(f"ring again {type(exc).__name__}")
        self.ringing_again = False

    def _move(self, state: str, call: int | None, since: str) -> None:
        self.last_event = time.monotonic()
        if since:
            self.since = since
        previous, self.state = self.state, state
        if state == "ready" and previous in ("", "connecting", "wrap_up", "paused"):
            self.ready_at = time.monotonic()
        if state == "connected" and previous != "connected" and self.ready_at is not None:
            self.waits.append(time.monotonic() - self.ready_at)
            self.ready_at = None
        if state in ("connected", "wrap_up") and call:
            self.call = call
        if state == "wrap_up" and call and call not in self.acknowledged and call not in self.posting:
            self.posting.add(call)
            self._spawn(self._record(call))
        if state == "ended":
            self.ended = True

    async def _record(self, call: int) -> None:
        await asyncio.sleep(random.uniform(0.5, 1.5) * self.wrap_s)
        disposition = random.choices([d for d, _ in DISPOSITIONS], [w for _, w in DISPOSITIONS])[0]
        body: dict[str, Any] = {
            "call": call,
            "disposition": disposition,
            "answers": {"support": random.choice(SUPPORT)} if disposition == "talked" else {},
            "idempotency_key": uuid.uuid4().hex,
        }
        deadline = time.monotonic() + OUTCOME_RETRY_S
        while True:
            try:
                status, reply = await self.browser.post_json(f"/call/session/{self.session}/outcome", body)
            except (aiohttp.ClientError, TimeoutError) as exc:
                status, reply = 0, type(exc).__name__
            if 200 <= status < 300:
                self.acknowledged[call] = int(reply["outcome"])
                if self.state == "wrap_up" and self.call == call:
                    self._move("ready", None, "")
                break
            self.errors.add(f"outcome {status or reply}")
            if 400 <= status < 500 or time.monotonic() > deadline:
                self.unsaved.append(call)
                break
            await asyncio.sleep(1.0)
        self.posting.discard(call)

    async def resync(self) -> None:
        """Read the seat back from the server, as a reloaded page does."""
        seat = await self.browser.read(f"/call/session/{self.session}", "resync")
        if seat is None:
            return
        self.since = ""
        self._move(seat["state"], seat.get("call"), seat.get("since") or "")
        self._phone_away(seat)  # what a reloaded page shows: "Ring my phone again"

    async def watch(self) -> None:
        """Read the seat back when nothing has moved for a while (a missed event)."""
        while not self.ended:
            await asyncio.sleep(self.quiet_s * random.uniform(0.5, 1.0))
            if self.started and time.monotonic() - self.last_event > self.quiet_s and self.sio.connected:
                await self.resync()

    async def drop(self, away_s: float) -> None:
        """The volunteer's connection drops mid-call and comes back `away_s` later."""
        self.dropped = True
        await self.sio.disconnect()
        await asyncio.sleep(away_s)
        for _ in range(30):  # as Socket.IO's own reconnection would: until it is back
            try:
                await self._connect()
                return
            except socketio.exceptions.ConnectionError as exc:
                self.errors.add(f"reconnect {exc}")
                await asyncio.sleep(1.0)

    async def reload(self) -> None:
        """The volunteer reloads the calling page mid-call: the socket goes, the page comes again
        (its bootstrap is the seat as it is now), and the new page's socket rejoins the seat."""
        self.reloaded = True
        await self.sio.disconnect()
        try:
            async with self.browser.http.get(f"{self.url}/call/{self.campaign}") as reply:
                if reply.status != 200:
                    self.errors.add(f"reload {reply.status}")
                await reply.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.errors.add(f"reload {type(exc).__name__}")
        for _ in range(30):
            try:
                await self._connect()
                return
            except socketio.exceptions.ConnectionError as exc:
                self.errors.add(f"reconnect {exc}")
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        if self.session and not self.ended:
            try:
                await self.browser.post_json(f"/call/session/{self.session}/end", {})
            except (aiohttp.ClientError, TimeoutError):
                self.errors.add("end failed")
        await self.sio.disconnect()
        await self.browser.http.close()

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def report(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "session": self.session,
            "held": self.started and not self.ended and self.sio.connected,
            "state": self.state,
            "acknowledged": self.acknowledged,
            "unsaved": self.unsaved,
            "waits": self.waits,
            "card_lags": self.card_lags,
            "rung_again": self.rung_again,
            "errors": dict(self.errors.counts),
        }


class Dashboard:
    def __init__(self, url: str, campaign: int, email: str, password: str, *, address: str) -> None:
        self.url = url
        self.campaign = campaign
        self.email = email
        self.password = password
        self.errors = Errors()
        self.browser = Browser(url, self.errors, address)
        self.sio = _client(self.browser)
        self.figures: dict[str, int] = {}
        self.base = 0
        self.applied: set[int] = set()
        self.pending: list[dict[str, Any]] = []
        self.loaded = False
        self.gap_since: float | None = None
        self.lags: list[float] = []  # seat events: arrival minus the change's own time, seconds
        self.seen_moves: dict[Any, str] = {}  # seat -> the `since` of its last move seen
        self.snapshots = 0
        self.sio.on("connect", self._on_connect, namespace=NAMESPACE)
        self.sio.on("tally", self._on_tally, namespace=NAMESPACE)
        self.sio.on("seat", self._on_seat, namespace=NAMESPACE)
        self.sio.on("reconciled", self._on_reconciled, namespace=NAMESPACE)
        self.loading: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            await self.browser.sign_in(
                self.email, self.password, f"/organiser/campaigns/{self.campaign}/dashboard"
            )
            await self.sio.connect(
                self.url, transports=["websocket"], namespaces=[NAMESPACE], wait_timeout=30
            )
        except Exception as exc:
            self.errors.add(f"start: {type(exc).__name__}: {str(exc)[:80]}")

    async def _on_connect(self) -> None:
        asyncio.get_running_loop().create_task(self._watch_then_load())

    async def _watch_then_load(self) -> None:
        """Join the campaign's room, then paint from the snapshot (as the page does)."""
        try:
            await self.sio.call(
                "watch_campaign", {"campaign_id": self.campaign}, namespace=NAMESPACE, timeout=15
            )
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError) as exc:
            self.errors.add(f"watch {type(exc).__name__}")
        self._reload()

    async def _on_reconciled(self, _payload: dict[str, Any]) -> None:
        self._reload()

    def _reload(self) -> None:
        self.loaded = False
        self.loading = asyncio.get_running_loop().create_task(self.load())

    async def load(self) -> None:
        snap = await self.browser.read(f"/organiser/campaigns/{self.campaign}/dashboard.json", "snapshot")
        if snap is None:
            return
        self.snapshots += 1
        self.figures, self.base, self.applied = dict(snap["figures"]), int(snap["version"]), set()
        self.loaded, self.gap_since = True, None
        pending, self.pending = self.pending, []
        for delta in pending:
            self._apply(delta)

    async def _on_tally(self, delta: dict[str, Any]) -> None:
        if delta.get("partial"):
            return
        if not self.loaded:
            self.pending.append(delta)
            return
        self._apply(delta)

    def _apply(self, delta: dict[str, Any]) -> None:
        version = int(delta["version"])
        if version <= self.base or version in self.applied:
            return
        self.applied.add(version)
        for name, by in delta["changes"].items():
            self.figures[name] = self.figures.get(name, 0) + int(by)

    def missing(self) -> bool:
        top = max(self.applied, default=self.base)
        return len(self.applied) < top - self.base

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            if not self.loaded or not self.missing():
                self.gap_since = None
                continue
            now = time.monotonic()
            if self.gap_since is None:
                self.gap_since = now
            elif now - self.gap_since > GAP_S:
                self._reload()

    async def _on_seat(self, payload: dict[str, Any]) -> None:
        since = payload.get("since")
        # Only a move is timed: a seat marked away or back is published again with its old `since`.
        if since and self.seen_moves.get(payload.get("session")) != since:
            self.seen_moves[payload.get("session")] = since
            self.lags.append(time.time() - datetime.fromisoformat(since).timestamp())

    async def stop(self) -> None:
        await self.sio.disconnect()
        await self.browser.http.close()

    def report(self) -> dict[str, Any]:
        return {
            "figures": self.figures,
            "version": self.base,
            "complete": self.loaded and not self.missing(),
            "connected": self.sio.connected,
            "snapshots": self.snapshots,
            "lags": self.lags,
            "errors": dict(self.errors.counts),
        }


# --- one client process -------------------------------------------------------------------------


async def _run(args: argparse.Namespace) -> None:
    emails = [line for line in Path(args.emails).read_text().splitlines() if line]
    volunteers = [
        Volunteer(
            args.url, args.campaign, email, args.password, wrap_s=args.wrap, quiet_s=args.quiet,
            address=client_address(args.first_client + index),
        )
        for index, email in enumerate(emails)
    ]  # fmt: skip
    dashboards = [
        Dashboard(
            args.url, args.campaign, args.organiser, args.password,
            address=client_address(args.first_client + len(emails) + index),
        )
        for index in range(args.dashboards)
    ]  # fmt: skip
    for board in dashboards:
        await board.start()
    watchers = [asyncio.get_running_loop().create_task(board.watch()) for board in dashboards]
    # Everyone signs in first, then everyone starts calling: sign-ins are argon2id on the server
    # (about 0.2 s of CPU each), and made while the first volunteers' calls already load the box they
    # took several times as long. A new start begins as each one is in, `at_once` at a time.
    at_once = asyncio.Semaphore(args.at_once)

    async def one_at_a_time(work: Callable[[], Awaitable[None]]) -> None:
        async with at_once:
            await work()

    await asyncio.gather(*(one_at_a_time(v.sign_in) for v in volunteers))
    await asyncio.gather(*(one_at_a_time(v.start) for v in volunteers))
    watchers += [asyncio.get_running_loop().create_task(v.watch()) for v in volunteers]
    _answer(f"ready {sum(v.started for v in volunteers)}")
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        command, *rest = line.split() or ["stop"]
        if command == "drop":
            share, away = float(rest[0]), float(rest[1])
            busy = [v for v in volunteers if v.state in ("connected", "dialing") and v.sio.connected]
            chosen = _some_of(busy, share, len(volunteers))
            for volunteer in chosen:
                volunteer._spawn(volunteer.drop(away))
            _answer(f"dropped {len(chosen)}")
        elif command == "reload":
            busy = [v for v in volunteers if v.state in ("connected", "wrap_up") and v.sio.connected]
            chosen = _some_of(busy, float(rest[0]), len(volunteers))
            for volunteer in chosen:
                volunteer._spawn(volunteer.reload())
            _answer(f"reloaded {len(chosen)}")
        elif command == "report":
            Path(rest[0]).write_text(json.dumps(_report(volunteers, dashboards)))
            _answer("reported")
        else:
            for task in watchers:
                task.cancel()
            await asyncio.gather(*(v.stop() for v in volunteers), *(d.stop() for d in dashboards))
            _answer("stopped")
            return


def _some_of(busy: list[Volunteer], share: float, everyone: int) -> list[Volunteer]:
    """`share` of all the volunteers (at least one), taken from those `busy` (all of them if fewer)."""
    wanted = max(1, round(share * everyone))
    return random.sample(busy, min(wanted, len(busy)))


def _answer(line: str) -> None:
    """Reply to the harness on stdout (one line per command)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _report(volunteers: list[Volunteer], dashboards: list[Dashboard]) -> dict[str, Any]:
    return {"volunteers": [v.report() for v in volunteers], "dashboards": [d.report() for d in dashboards]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m harness.loopback.crowd", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--campaign", type=int, required=True)
    parser.add_argument("--emails", required=True, help="a file of volunteers' e-mail addresses, one a line")
    parser.add_argument("--organiser", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--dashboards", type=int, default=0)
    parser.add_argument(
        "--first-client",
        type=int,
        default=1,
        help="this process's clients call from client_address(N), N+1...",
    )
    parser.add_argument(
        "--wrap", type=float, default=1.0, help="seconds a volunteer takes to record an outcome"
    )
    parser.add_argument(
        "--quiet", type=float, default=30.0, help="read the seat back after this long without news"
    )
    parser.add_argument("--at-once", type=int, default=10, help="volunteers signing in or starting at once")
    asyncio.run(_run(parser.parse_args(argv)))


# --- the harness's side -------------------------------------------------------------------------


class CrowdProcesses:
    """Client processes sharing out the volunteers and dashboards, commanded together."""

    def __init__(
        self,
        url: str,
        campaign: int,
        emails: list[str],
        *,
        organiser: str,
        password: str,
        dashboards: int,
        processes: int,
        folder: Path,
        wrap_s: float = 1.0,
        quiet_s: float = 30.0,
    ) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen[str]] = []
        self._logs: list[IO[bytes]] = []
        processes = max(1, min(processes, len(emails)))
        first_client = 1
        for index in range(processes):
            mine = emails[index::processes]
            listing = folder / f"crowd-{index}.txt"
            listing.write_text("\n".join(mine))
            boards = dashboards // processes + (1 if index < dashboards % processes else 0)
            command = [
                sys.executable, "-m", "harness.loopback.crowd", "--url", url, "--campaign", str(campaign),
                "--emails", str(listing), "--organiser", organiser, "--password", password,
                "--dashboards", str(boards), "--wrap", str(wrap_s), "--quiet", str(quiet_s),
                "--first-client", str(first_client),
            ]  # fmt: skip
            first_client += len(mine) + boards
            log = (folder / f"crowd-{index}.log").open("ab")
            self._logs.append(log)
            self.processes.append(
                subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    cwd=CHECKOUT,  # `harness` is not installed with the product: found from here
                )
            )
        self.started = sum(int(self._answer(p).split()[1]) for p in self.processes)

    def drop(self, share: float, away_s: float) -> int:
        return sum(int(answer.split()[1]) for answer in self._all(f"drop {share} {away_s}"))

    def reload(self, share: float) -> int:
        return sum(int(answer.split()[1]) for answer in self._all(f"reload {share}"))

    def report(self) -> dict[str, Any]:
        merged: dict[str, Any] = {"volunteers": [], "dashboards": []}
        paths = [self.folder / f"crowd-{i}.json" for i in range(len(self.processes))]
        for process, path in zip(self.processes, paths, strict=True):
            self._send(process, f"report {path}")
        for process, path in zip(self.processes, paths, strict=True):
            self._answer(process)
            part = json.loads(path.read_text())
            merged["volunteers"] += part["volunteers"]
            merged["dashboards"] += part["dashboards"]
        return merged

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    self._send(process, "stop")
                    self._answer(process)
                    process.wait(timeout=60)
                except (OSError, RuntimeError, subprocess.TimeoutExpired):
                    process.kill()
                    process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
        self.processes.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def _all(self, command: str) -> list[str]:
        for process in self.processes:
            self._send(process, command)
        return [self._answer(process) for process in self.processes]

    @staticmethod
    def _send(process: subprocess.Popen[str], command: str) -> None:
        assert process.stdin is not None
        process.stdin.write(command + "\n")
        process.stdin.flush()

    @staticmethod
    def _answer(process: subprocess.Popen[str]) -> str:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"a crowd process exited with {process.wait()}")
        return line.strip()


if __name__ == "__main__":
    main()
