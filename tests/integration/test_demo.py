"""The demo: a working phone bank for a real marginal seat, on fictional numbers only, open at any hour;
and `dialer demo` itself, which comes up healthy from an empty folder and stops cleanly on Ctrl-C."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

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
from dialer.services.accounts import accounts
from dialer.services.accounts.accounts import DEMO_VOLUNTEER_PHONE
from dialer.services.calling import queueing, sessions
from dialer.services.demo.demo import seed_demo
from dialer.simulator import Behaviour
from tests.demo_process import Demo
from tests.one_clock import product_and_simulator
from tests.phone_bank_builders import make_volunteer, ready_seat

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
    """`dialer demo` in an empty instance folder per name; each is stopped at the end, whatever happened."""
    started: list[Demo] = []

    def start(name: str) -> Demo:
        started.append(Demo.start(tmp_path / name))
        return started[-1]

    try:
        yield start
    finally:
        for running in started:
            running.close()


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
