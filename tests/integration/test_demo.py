"""The demo: a working phone bank for a real marginal seat, on fictional numbers only, open at any hour;
and `dialer demo` itself, which comes up healthy from an empty folder and stops cleanly on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import psutil
import pytest
import requests
from sqlmodel import select

from dialer.adapters.live import RecordingLiveUpdates
from dialer.cli import DEMO_VOLUNTEER_AT_THEIR_PHONE
from dialer.config import Settings
from dialer.domain.calling_hours import LONDON
from dialer.domain.phones import is_drama_number
from dialer.domain.roles import Role
from dialer.domain.seats import AudioLeg, SeatState
from dialer.models import CallAttempt, CallingSession, Campaign, CampaignSeat, User, Voter
from dialer.services import accounts, queueing, sessions
from dialer.services.accounts import DEMO_VOLUNTEER_PHONE
from dialer.services.demo import seed_demo
from dialer.simulator import Behaviour
from tests.one_clock import product_and_simulator
from tests.phone_bank_builders import make_volunteer, ready_seat
from tests.ports import free_port

pytestmark = pytest.mark.integration


def test_the_demo_phone_bank_is_created_once_and_dials_only_drama_numbers(bank, clock, telephony):
    campaign_id = seed_demo(bank, voters=40)
    assert seed_demo(bank, voters=40) == campaign_id
    with bank.uow() as uow:
        assert uow.session.exec(select(CampaignSeat.ons_code)).all() == ["E14001172"]
        voters = uow.session.exec(select(Voter)).all()
        assert len(uow.session.exec(select(Campaign)).all()) == 1
    assert len(voters) == 40 and all(is_drama_number(v.phone_e164) for v in voters)
    ready_seat(bank, make_volunteer(bank), campaign_id)
    clock.advance(1)
    assert len(telephony.placed) == 1 and is_drama_number(telephony.placed[0][1].to)


def test_the_demo_phone_bank_is_open_at_any_hour(bank):
    campaign_id = seed_demo(bank, voters=1)
    with bank.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        assert campaign is not None
        hours = queueing.hours_of(campaign)
    sunday = datetime(2026, 11, 29, tzinfo=LONDON)
    for hour in (0, 3, 7, 21, 23):
        assert hours.is_open(sunday.replace(hour=hour, minute=59))
        assert hours.is_open(sunday.replace(day=30, hour=hour))  # a Monday


def test_call_my_phone_works_in_the_demo_the_simulator_answers_the_volunteer_and_presses_1(
    settings, clean_db, redis, redis_url, clock
):
    """What `dialer demo` tells the simulator about the demo volunteer's phone puts them in their seat."""
    from workers import context

    wired = product_and_simulator(
        settings, clean_db, redis, redis_url, clock=clock, live=RecordingLiveUpdates()
    )
    sim, services = wired.sim, wired.services
    try:
        bank = services.phone_bank
        campaign_id = seed_demo(bank, voters=3)
        accounts.seed_demo_accounts(services.uow(), services.passwords, clock)
        sim.set_behaviour(DEMO_VOLUNTEER_PHONE, Behaviour.from_json(DEMO_VOLUNTEER_AT_THEIR_PHONE))
        with services.uow() as uow:
            volunteer = uow.session.exec(select(User).where(User.role == Role.VOLUNTEER)).one()
        assert volunteer.id is not None and volunteer.phone_e164 == DEMO_VOLUNTEER_PHONE

        started = sessions.start_session(bank, volunteer.id, campaign_id, AudioLeg.PHONE)
        clock.advance(20)
    finally:
        context.use(None)
    assert [event.data["digits"] for event in sim.events(kind="gathered")] == ["1"]
    with services.uow() as uow:
        seat = uow.session.get(CallingSession, started.session_id)
        dialled = uow.session.exec(select(CallAttempt).where(CallAttempt.session_id == started.session_id))
        assert seat is not None and seat.state not in (SeatState.CONNECTING, SeatState.ENDED)
        assert len(dialled.all()) >= 1, "a seat that went ready gets voters rung for it"


# --- `dialer demo` as a fresh clone runs it ------------------------------------------------------


@pytest.fixture
def start_demo(tmp_path) -> Iterator[Callable[[str], Demo]]:
    """`dialer demo` in an empty instance folder with none of the product's variables set but PORT: it
    chooses the simulator's port itself. Each demo started is stopped at the end, whatever happened."""
    ours = {name.upper() for name in Settings.model_fields} | {"MARGINAL_MODE", "PORT"}
    base = {name: value for name, value in os.environ.items() if name not in ours}
    dialer = Path(sys.executable).with_name("dialer")
    started: list[Demo] = []

    def start(name: str) -> Demo:
        port = free_port()
        env = base | {"INSTANCE_PATH": str(tmp_path / name), "PORT": str(port), "PYTHONUNBUFFERED": "1"}
        command = [str(dialer), "demo", "--workers", "1"]
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started.append(Demo(process, f"http://127.0.0.1:{port}"))
        return started[-1]

    try:
        yield start
    finally:
        for running in started:
            running.close()


class Demo:
    """The running command, its output as it comes, and every process it started."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process, self.url = process, url
        self.simulator_url = ""
        self.out: list[str] = []
        self.err: list[str] = []
        self.announced = threading.Event()
        self.processes: list[psutil.Process] = []
        self._readers = [
            threading.Thread(target=self._read, args=(process.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(process.stderr, self.err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str], lines: list[str]) -> None:
        for line in stream:
            lines.append(line)
            if line.startswith("telephony simulator: "):
                self.simulator_url = line.removeprefix("telephony simulator: ").strip()
            if line.startswith("Marginal is running: open "):
                self.announced.set()

    def up(self, timeout: float = 90) -> dict[str, Any]:
        """Wait for the demo to say it is running, then read /healthz."""
        deadline = time.monotonic() + timeout
        while not self.announced.wait(0.2):
            assert self.process.poll() is None, f"the demo exited with {self.process.returncode}: {self.err}"
            assert time.monotonic() < deadline, f"the demo did not start within {timeout} s: {self.out}"
        reply = requests.get(f"{self.url}/healthz", timeout=10)
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def everything_it_started(self) -> list[psutil.Process]:
        """Its children (simulator, workers, web) and the embedded Redis they share (not a child)."""
        children = psutil.Process(self.process.pid).children(recursive=True)
        sockets = {child.environ().get("REDIS_URL", "").removeprefix("unix://") for child in children} - {""}
        redis_servers = [
            process
            for process in psutil.process_iter(["name", "cmdline"])
            if process.info["name"] == "redis-server"
            and any(s in " ".join(process.info["cmdline"] or ()) for s in sockets)
        ]
        self.processes = children + redis_servers
        return self.processes

    def close(self) -> None:
        """Whatever happened in the test, leave nothing running and no pipe open."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for leftover in self.processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()
        for reader in self._readers:
            reader.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def interrupt(self, timeout: float = 30) -> tuple[int, str, str]:
        """Ctrl-C: the exit status and everything it printed."""
        self.process.send_signal(signal.SIGINT)
        status = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=5)
        return status, "".join(self.out), "".join(self.err)


def test_two_demos_run_side_by_side_each_healthy_and_each_stops_cleanly_on_ctrl_c(start_demo):
    first, second = start_demo("first"), start_demo("second")
    for demo in (first, second):
        health = demo.up()
        assert health["ok"] is True
        assert {name: check["ok"] for name, check in health["checks"].items()} == {
            "database": True,
            "redis": True,
            "workers": True,
            "telephony": True,
        }
    assert (
        first.simulator_url != second.simulator_url
        and "5055" not in first.simulator_url + second.simulator_url
    )
    started = first.everything_it_started()
    second.everything_it_started()
    commands = [" ".join(process.cmdline()) for process in started]
    for part in ("-m dialer.simulator", "-m workers", "-m web --async-mode threading", "redis-server"):
        assert any(part in command for command in commands), commands

    # "Call my phone" works in the demo: the simulator answers the demo volunteer's phone and presses 1.
    behaviours = requests.get(
        f"{first.simulator_url}/_sim/behaviours",
        auth=(Settings().account_sid, Settings().auth_token),
        timeout=5,
    ).json()
    assert behaviours["numbers"][DEMO_VOLUNTEER_PHONE]["digits"] == "1"

    for demo in (first, second):
        status, out, err = demo.interrupt()
        assert status == 0, err
        assert "demo phone bank ready: /call/1" in out and "volunteer@demo.marginal.invalid" in out
        assert "stopping..." in err and "Traceback" not in err and "killed" not in err, err
        _, alive = psutil.wait_procs(demo.processes, timeout=5)
        assert alive == [], [process.cmdline() for process in alive]
