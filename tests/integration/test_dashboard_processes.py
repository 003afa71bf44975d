"""Two web processes, a worker and the simulator as real processes sharing one database and one Redis:
an outcome recorded through web process A and a call completed in the worker both reach a
dashboard client connected to web process B, and its totals are the record's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlmodel import select

from dialer.adapters.twilio_client import make_client
from dialer.cli import _simulator_process
from dialer.domain.calls import CallStatus
from dialer.domain.campaigns import CampaignStatus, DialingMode
from dialer.domain.figures import key
from dialer.domain.roles import Role
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, CallingSession, CampaignSeat, Voter
from dialer.services.calling import dashboard
from dialer.services.calling.call_events import Answer, StatusReport, on_answer, on_call_status
from dialer.services.phone_bank import RECONCILE_CALLS
from tests.parallel_workers import free_port
from tests.people import PASSWORD, add_account, add_campaign, add_voter
from tests.phone_bank_builders import SEAT, ensure_constituency, ready_seat

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def wait_until_up(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    # Generous: a web process imports everything twice (once more under gevent), slow on a busy machine.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{what} exited with {process.returncode}"
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:  # not listening yet, or listening while its worker boots
            time.sleep(0.2)
    raise AssertionError(f"{what} did not start")


@pytest.fixture
def processes(settings, services, tmp_path) -> Iterator[dict[str, Any]]:
    """The simulator, web processes A and B, and an RQ worker, on the test's database and Redis."""
    sim_port, a_port, b_port = free_port(), free_port(), free_port()
    a_url, b_url = f"http://127.0.0.1:{a_port}", f"http://127.0.0.1:{b_port}"
    env = dict(os.environ)
    env.update(
        MARGINAL_MODE="development",  # the Socket.IO Redis message queue is on (tests' own mode turns it off)
        INSTANCE_PATH=str(tmp_path),
        DATABASE_URL=settings.effective_database_url,
        REDIS_URL=services.redis_url,
        SECRET_KEY=settings.secret_key,
        PUBLIC_BASE_URL=a_url,  # webhooks go to A (B is told its own address below: pages' origin)
        SIMULATOR_URL=f"http://127.0.0.1:{sim_port}",
        PYTHONUNBUFFERED="1",
    )
    sim_settings = settings.model_copy(update={"simulator_url": env["SIMULATOR_URL"]})
    args, sim_env = _simulator_process(sim_settings, "127.0.0.1", sim_port, cps=20)
    started: list[tuple[str, subprocess.Popen[bytes]]] = []
    logs = {}
    try:
        for name, command, url in (
            ("simulator", args, f"{env['SIMULATOR_URL']}/_sim/health"),
            ("web A", [sys.executable, "-m", "web", "--port", str(a_port)], a_url + "/sign-in"),
            ("web B", [sys.executable, "-m", "web", "--port", str(b_port)], b_url + "/sign-in"),
            ("worker", [sys.executable, "-m", "workers", "--name", f"dash-{a_port}"], None),
        ):
            logs[name] = (tmp_path / f"{name.replace(' ', '-')}.log").open("wb")
            own = {"PUBLIC_BASE_URL": b_url} if name == "web B" else {}
            process = subprocess.Popen(
                command, env=(sim_env | env) if name == "simulator" else env | own, cwd=ROOT,
                stdout=logs[name], stderr=subprocess.STDOUT,
            )  # fmt: skip
            started.append((name, process))
            if url:
                wait_until_up(url, process, name)
        yield {"a": a_url, "b": b_url, "settings": sim_settings, "logs": tmp_path}
    finally:
        for _, process in reversed(started):
            process.terminate()
        for _, process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()  # reaped here, not reported as still running in whichever test runs next
        for log in logs.values():
            log.close()


def signed_in(url: str, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(url + "/sign-in").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token
    reply = browser.post(
        url + "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )  # fmt: skip
    assert reply.status_code == 303, reply.text
    return browser


def csrf(browser: requests.Session, url: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', browser.get(url + "/call").text)
    assert found
    return found.group(1)


class Dashboard:
    """What the dashboard page does: join the room, take the snapshot, apply deltas by version."""

    def __init__(self, url: str, browser: requests.Session, campaign_id: int) -> None:
        self.figures: dict[str, int] = {}
        self.version = 0
        self.early: list[dict[str, Any]] = []
        self.loaded = False
        self.changed = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("tally", self.on_tally, namespace="/live")
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        self.client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], namespaces=["/live"])
        ack = self.client.call("watch_campaign", {"campaign_id": campaign_id}, namespace="/live", timeout=10)
        assert ack == {"ok": True, "campaign": campaign_id}
        snapshot = browser.get(f"{url}/organiser/campaigns/{campaign_id}/dashboard.json").json()
        self.figures, self.version, self.loaded = dict(snapshot["figures"]), snapshot["version"], True
        for delta in self.early:
            self.apply(delta)

    def on_tally(self, delta: dict[str, Any]) -> None:
        if not self.loaded:
            self.early.append(delta)
            return
        self.apply(delta)
        self.changed.set()

    def apply(self, delta: dict[str, Any]) -> None:
        if delta["version"] <= self.version:
            return
        for name, by in delta["changes"].items():
            self.figures[name] = self.figures.get(name, 0) + by

    def wait_for(self, name: str, value: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.figures.get(name, 0) != value:
            self.changed.clear()
            assert time.monotonic() < deadline, f"{name} is {self.figures.get(name, 0)}, not {value}"
            self.changed.wait(0.5)


def test_an_outcome_on_web_a_and_a_call_completed_in_the_worker_reach_a_dashboard_on_web_b(
    processes, services
):
    bank = services.phone_bank
    organiser = add_account(services, "organiser@example.org", role=Role.ORGANISER, first_name="Olu")
    volunteer = add_account(services, "volunteer@example.org", first_name="Vic")
    campaign_id = add_campaign(
        services, "Westminster calls", organiser_id=organiser, status=CampaignStatus.ACTIVE
    )
    ensure_constituency(bank)
    with services.uow() as uow:
        uow.session.add(CampaignSeat(campaign_id=campaign_id, ons_code=SEAT))
        uow.commit()
    # Voters at their last attempt: the worker's heartbeat finds nobody new to dial.
    talked_to = add_voter(services, campaign_id, phone="+447700900301", attempts=3)
    busy_one = add_voter(services, campaign_id, phone="+447700900302", attempts=3)

    # The volunteer's conversation, up to wrap-up (the record a live call would have made).
    seat = ready_seat(bank, volunteer, campaign_id)
    now = datetime.now(UTC)
    with services.uow() as uow:
        call = CallAttempt(
            campaign_id=campaign_id, voter_id=talked_to, session_id=seat, mode=DialingMode.POWER,
            status=CallStatus.RINGING, provider_sid="CA" + "1" * 32, placed_at=now,
        )  # fmt: skip
        uow.session.add(call)
        uow.session.flush()
        row = uow.session.get(CallingSession, seat)
        assert row is not None and call.id is not None
        row.state, row.current_call_id = SeatState.DIALING, call.id
        uow.commit()
        call_id = call.id
    bank.seats.move(seat, frozenset({SeatState.READY}), SeatState.DIALING, now=now, call_id=call_id)
    on_answer(bank, Answer(call_id, campaign_id, seat, "CA" + "1" * 32, any_seat=False))
    on_call_status(bank, StatusReport(call_id, "CA" + "1" * 32, "completed", sequence=3, duration_s=60))

    # A call the simulator rang out as busy, whose callbacks never came: the worker's reconciler asks.
    sim = processes["settings"]
    control = requests.Session()
    control.auth = (sim.account_sid, sim.auth_token)
    control.put(f"{sim.simulator_url}/_sim/behaviours/+447700900302", json={"kind": "busy", "after_s": 1})
    sid = make_client(sim).calls.create(to="+447700900302", from_="+442079460000", twiml="<Response/>").sid
    with services.uow() as uow:
        stale = now - timedelta(minutes=3)
        uow.session.add(
            CallAttempt(
                campaign_id=campaign_id, voter_id=busy_one, mode=DialingMode.POWER, status=CallStatus.RINGING,
                provider_sid=sid, placed_at=stale, last_heard_at=stale,
            )
        )  # fmt: skip
        uow.commit()

    board = Dashboard(processes["b"], signed_in(processes["b"], "organiser@example.org"), campaign_id)
    assert board.figures[key("all", "connects")] == 1
    assert board.figures.get(key("all", "conversations"), 0) == 0

    volunteer_on_a = signed_in(processes["a"], "volunteer@example.org")
    reply = volunteer_on_a.post(
        f"{processes['a']}/call/session/{seat}/outcome",
        json={"call": call_id, "disposition": "talked", "answers": {}},
        headers={"X-CSRFToken": csrf(volunteer_on_a, processes["a"])},
    )
    assert reply.status_code == 200, reply.text
    board.wait_for(key("all", "conversations"), 1)
    board.wait_for(key(f"vol:{volunteer}", "conversations"), 1)

    time.sleep(2)  # the simulator's busy signal is over by now
    services.jobs.enqueue(RECONCILE_CALLS)
    board.wait_for(key("all", "disp:busy"), 1)
    board.wait_for(key("all", "outcomes"), 2)

    with services.uow() as uow:
        assert board.figures == dashboard.recount(uow.session, campaign_id), (
            "the dashboard's totals are the record's"
        )
        assert uow.session.exec(select(Voter).where(Voter.id == busy_one)).one().done
    board.client.disconnect()
