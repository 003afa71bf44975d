"""A volunteer's shift in headless Chromium against the real app on the wall clock: the web app on a
live server, the Twilio simulator on its own HTTP server (its clock sped up), an RQ worker thread,
and the suite's SQL database and Redis. The call flow is the product's own from end to end: REST
requests and signed webhooks over HTTP, the softphone over the simulator's websocket, jobs through
RQ. One shortcut: web app and worker share this process, so live updates go straight to its
Socket.IO clients instead of through Redis pub/sub (tests/integration/test_dashboard_processes.py
covers that hop between processes).

The volunteer signs in, starts calling in the browser (the page's softphone joins their seat through
the simulator's TwiML App), is put through to a voter the simulator answers for, chooses the outcome
with a keyboard shortcut, hangs up and saves it, and the next voter arrives; then the same page on a phone-sized screen.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import APIResponse, Route, WebSocketRoute
from rq import SimpleWorker
from rq.timeouts import TimerDeathPenalty
from sqlmodel import col, select
from werkzeug.serving import make_server

from dialer.adapters import redis_server
from dialer.adapters.rq_queue import QUEUES
from dialer.bootstrap import Services, build
from dialer.clock import RealTimeScheduler, ScaledClock, SystemClock
from dialer.domain.dispositions import Disposition
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, CallingSession, Outcome, Voter
from dialer.services.calling.notices import seat_payload
from dialer.services.phone_bank import seat_room
from dialer.simulator import Simulator
from tests.browser.conftest import LiveServer, save_artifact
from tests.people import FAST_PASSWORDS, email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer
from tests.ports import free_port

#: The simulated world runs this many times faster than the wall clock (rings, talk, timeouts).
SPEED = 5
#: A phone-sized screen (CSS pixels of a small Android phone).
PHONE = {"width": 360, "height": 740}


class ToBrowsersHere:
    """Live updates straight to the Socket.IO clients of the app served here: what Redis pub/sub and
    the Socket.IO message queue carry between processes, when web app and worker share a process."""

    def publish(self, room: str, event: str, payload: dict[str, Any]) -> None:
        from web.extensions import socketio

        socketio.emit(event, payload, namespace="/live", to=room)


class ThreadWorker(SimpleWorker):
    """An RQ worker on a thread of the test. Signals belong to the main thread: stop() stops it, and
    job timeouts use a timer instead of SIGALRM."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass

    def dequeue_job_and_maintain_ttl(self, timeout: int | None, max_idle_time: int | None = None) -> Any:
        while not self._stop_requested:  # wait for jobs a second at a time, to notice stop()
            job = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time=1)
            if job is not None:
                return job
        return None

    def stop(self) -> None:
        self._stop_requested = True


@dataclass
class Running:
    url: str
    simulator: Simulator
    services: Services  # the app's and the worker's, on the suite's database and Redis


@pytest.fixture
def running(settings, clean_db, redis, redis_url) -> Iterator[Running]:
    from web import create_app
    from workers import context

    scheduler = RealTimeScheduler(ScaledClock(SPEED), name="simulator-clock").start()
    simulator = Simulator(
        account_sid=settings.account_sid,
        auth_token=settings.auth_token,
        api_keys={settings.api_key_sid: settings.api_key_secret},
        clock=scheduler.clock,
        scheduler=scheduler,
        cps=10,
    )
    simulator_server = make_server("127.0.0.1", 0, simulator.app, threaded=True)
    threading.Thread(target=simulator_server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{free_port()}"
    own = settings.model_copy(
        update={
            "public_base_url": url,  # webhooks come back here over HTTP, signed for this address
            "simulator_url": f"http://127.0.0.1:{simulator_server.server_port}",
            "calls_per_second": 50,  # no dial waits for RQ's scheduler, which this worker does not run
        }
    )
    services = build(
        own,
        engine=clean_db,
        redis=redis,
        redis_url=redis_url,
        clock=SystemClock(),
        live=ToBrowsersHere(),
        passwords=FAST_PASSWORDS,
    )
    context.use(services)
    worker_redis = redis_server.connect(redis_url)
    worker = ThreadWorker(list(QUEUES), connection=worker_redis, name=f"browser-{free_port()}", worker_ttl=16)
    working = threading.Thread(target=worker.work, kwargs={"logging_level": "WARNING"}, daemon=True)
    working.start()
    server = LiveServer(create_app(services=services), port=int(url.rsplit(":", 1)[1])).start()
    try:
        yield Running(url, simulator, services)
    finally:
        server.stop()
        worker.stop()
        working.join(timeout=5)
        worker_redis.close()
        context.use(None)
        simulator_server.shutdown()
        simulator.close()


def callee(running: Running, number: str, **behaviour: Any) -> None:
    """Tell the simulator how the person at `number` behaves (its control plane, as Twilio has none)."""
    auth = (running.services.settings.account_sid, running.services.settings.auth_token)
    simulator = running.services.settings.simulator_url
    reply = requests.put(f"{simulator}/_sim/behaviours/{number}", json=behaviour, auth=auth, timeout=5)
    reply.raise_for_status()


def outcome_for(services: Services, first_name: str) -> tuple[Disposition, int | None]:
    """The disposition recorded for the voter of that name, and by whom."""
    with services.uow() as uow:
        outcome = uow.session.exec(
            select(Outcome)
            .join(CallAttempt, col(CallAttempt.id) == col(Outcome.call_attempt_id))
            .join(Voter, col(Voter.id) == col(CallAttempt.voter_id))
            .where(Voter.first_name == first_name)
        ).one()
        return outcome.disposition, outcome.user_id


def connected_to_a_new_voter(page, seen: set[str]) -> str:
    """Wait until the page shows a conversation with a voter not seen before; returns their name."""
    page.wait_for_function(
        """seen => document.body.dataset.seat === 'connected'
                  && !document.getElementById('voter-details').hidden
                  && !seen.includes(document.getElementById('voter-name').textContent)""",
        arg=sorted(seen),
        timeout=20_000,
    )
    return page.text_content("#voter-name") or ""


def hang_up_and_save(page, key: str) -> None:
    """Choose the outcome with its key during the conversation, hang up (H), save it (Enter): it is
    sent when the page's undo window closes."""
    page.keyboard.press(key)
    page.keyboard.press("h")
    page.wait_for_function("() => document.body.dataset.seat === 'wrap_up'")
    page.keyboard.press("Enter")


def test_a_volunteer_talks_to_a_voter_records_the_outcome_with_a_key_and_the_next_voter_arrives(
    page, running
):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=3, around_the_clock=True)
    with bank.uow() as uow:
        numbers = uow.session.exec(select(Voter.phone_e164)).all()
    for number in numbers:  # each voter answers after a second's ringing and would talk ten minutes
        callee(running, number, kind="answer", ring_s=1, talk_s=600)
    volunteer = make_volunteer(bank, "Priya")

    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")
    page.wait_for_selector('body[data-audio="connected"]')  # the softphone is in the seat
    joins = [hook for hook in running.simulator.webhooks() if hook["url"] == f"{running.url}/voice/volunteer"]
    assert [hook["params"]["From"] for hook in joins] == [f"client:volunteer-{volunteer}"]

    first = connected_to_a_new_voter(page, set())
    assert first.startswith("Voter")
    assert page.text_content("#voter-area") == "St James's"
    assert page.is_visible("#call-timer")
    page.wait_for_function("() => document.getElementById('call-timer').textContent !== '0:00'")  # it ticks
    save_artifact(page, "calling-live-connected")

    hang_up_and_save(page, "1")  # "Talked to voter"
    second = connected_to_a_new_voter(page, {first})
    assert outcome_for(running.services, first) == (Disposition.TALKED, volunteer)
    page.wait_for_function("() => document.getElementById('total-conversations-today').textContent === '1'")

    # The same page on a phone: nothing wider than the screen, and a tap on "Refused" records it.
    page.set_viewport_size(PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"
    refused = page.locator(".disposition[data-disposition='refused']")
    for part in (
        page.locator("#voter-card"),
        page.locator("#call-timer"),
        page.locator("#outcome-form"),
        refused,
    ):
        box = part.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], part
    save_artifact(page, "calling-live-phone")
    page.click("#hang-up")
    page.wait_for_function("() => document.body.dataset.seat === 'wrap_up'")
    refused.click()  # after the call, a tap saves (once the undo window closes)
    third = connected_to_a_new_voter(page, {first, second})
    assert outcome_for(running.services, second) == (Disposition.REFUSED, volunteer)
    assert third.startswith("Voter")


def test_the_next_voter_stays_on_screen_when_news_of_the_last_call_arrives_after_them(page, running):
    """The saved outcome's reply, and the seat's move to ready, come from other requests than the
    next voter's card: arriving after the card (a slow reply, another process) they change nothing."""
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=2, around_the_clock=True)
    with bank.uow() as uow:
        numbers = uow.session.exec(select(Voter.phone_e164)).all()
    for number in numbers:
        callee(running, number, kind="answer", ring_s=1, talk_s=600)
    volunteer = make_volunteer(bank, "Sam")
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")
    first = connected_to_a_new_voter(page, set())
    held: list[tuple[Route, APIResponse]] = []
    page.route("**/outcome", lambda route: held.append((route, route.fetch())))  # saved, reply held back

    hang_up_and_save(page, "1")
    second = connected_to_a_new_voter(page, {first})
    with bank.uow() as uow:
        seat = uow.session.exec(select(CallingSession).where(CallingSession.user_id == volunteer)).one()
        assert seat.state is SeatState.CONNECTED and seat.state_changed_at is not None
        overtaken = seat_payload(seat) | {
            "state": "ready",
            "call": None,
            "since": (seat.state_changed_at - timedelta(seconds=1)).isoformat(),
        }
    bank.live.publish(seat_room(seat.id or 0), "seat", overtaken)  # the move to ready, delivered late
    route, reply = held[0]
    with page.expect_response("**/outcome"):
        route.fulfill(response=reply)
    page.wait_for_timeout(300)  # the page's handling of both

    assert page.text_content("#voter-name") == second
    assert page.is_visible("#voter-details")
    assert page.evaluate("() => document.body.dataset.seat") == "connected"
    assert outcome_for(running.services, first) == (Disposition.TALKED, volunteer)


def test_a_voter_put_through_before_the_page_joined_its_seats_room_is_still_shown(page, running):
    """Seat events go to the seat's room: what happened before the page joined it (a slow socket, a
    reconnection) reached nobody, so the page reads the seat once it has joined."""
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=1, around_the_clock=True)
    with bank.uow() as uow:
        number = uow.session.exec(select(Voter.phone_e164)).one()
    callee(running, number, kind="answer", ring_s=1, talk_s=600)
    volunteer = make_volunteer(bank, "Ade")
    joins: list[str] = []
    to_server: list[WebSocketRoute] = []

    def hold_the_join(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        to_server.append(server)

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str) and '"join"' in message:
                joins.append(message)
            else:
                server.send(message)

        socket.on_message(from_page)

    app_socket = re.compile(re.escape(running.url.replace("http", "ws", 1)) + "/socket.io/")
    page.route_web_socket(app_socket, hold_the_join)  # before the page opens its socket
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")
    deadline = time.monotonic() + 20
    while not joins or not _seat_connected(bank, volunteer):  # put through while the page is not in the room
        assert time.monotonic() < deadline, "the voter was never put through"
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)  # the seat's events have gone out, to nobody
    assert page.evaluate("() => document.body.dataset.seat") != "connected"

    to_server[-1].send(joins[0])

    assert connected_to_a_new_voter(page, set()).startswith("Voter")


def _seat_connected(bank, volunteer: int) -> bool:
    with bank.uow() as uow:
        seat = uow.session.exec(select(CallingSession).where(CallingSession.user_id == volunteer)).first()
        return seat is not None and seat.state is SeatState.CONNECTED
