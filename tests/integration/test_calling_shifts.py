"""Calling shifts on the Twilio simulator: a volunteer books a shift, is rung at its start, presses 1
and is in a seat; the organiser's dashboard shows them present. Each booking is rung once, whoever
gets to it (the shift's job, the heartbeat, a second worker) and however often."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from dialer.domain.roles import Role
from dialer.domain.seats import SeatState
from dialer.models import CallingSession, CallingShift, CampaignOrganiser, ShiftBooking
from dialer.services.calling import shifts, upkeep
from dialer.simulator import Behaviour
from tests.concurrency import all_at_once
from tests.one_clock import running_on_one_clock
from tests.people import add_account, csrf_headers, sign_in_as
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer

pytestmark = pytest.mark.integration


@pytest.fixture
def world(settings, clean_db, redis, redis_url):
    with running_on_one_clock(settings, clean_db, redis, redis_url) as wired:
        yield wired


def organiser_of(bank, campaign_id: int) -> int:
    organiser = add_account(bank, "organiser-shifts@example.org", role=Role.ORGANISER, first_name="Olu")
    with bank.uow() as uow:
        uow.session.add(CampaignOrganiser(campaign_id=campaign_id, user_id=organiser))
        uow.commit()
    return organiser


def publish(bank, campaign_id: int, *, in_minutes: int = 30, wanted: int = 5) -> int:
    starts = bank.clock.now() + timedelta(minutes=in_minutes)
    form = shifts.ShiftForm(starts_at=starts, ends_at=starts + timedelta(hours=2), wanted=wanted)
    return shifts.publish_shift(bank, campaign_id, None, form)


def rings_to(world, phone: str) -> int:
    """How many calls the product has placed to this number."""
    return len(world.sim.rest_client().calls.list(to=phone))


def test_a_volunteer_books_a_shift_is_rung_at_its_start_and_the_dashboard_shows_them_present(world):
    bank = world.services.phone_bank
    campaign = make_campaign(bank, voters=3)
    organiser = organiser_of(bank, campaign)
    phone = drama_number(901)
    ada = make_volunteer(bank, "Ada", phone=phone)  # her phone is verified
    world.sim.set_behaviour(phone, Behaviour.answer(ring=2, talk=3600, patience_s=3600, digits="1"))
    shift = publish(bank, campaign, in_minutes=30)

    volunteer = sign_in_as(world.app.test_client(), world.services, ada)
    listed = volunteer.get("/shifts").get_data(as_text=True)
    assert "Westminster phone bank" in listed and "Book this shift" in listed
    booked = volunteer.post(f"/shifts/{shift}/book", headers=csrf_headers(volunteer))
    assert booked.status_code == 303
    assert "You are booked." in volunteer.get("/shifts").get_data(as_text=True)

    dashboard = sign_in_as(world.app.test_client(), world.services, organiser)
    before = dashboard.get(f"/organiser/campaigns/{campaign}/shifts/roll.json").get_json()["shift"]
    assert (before["booked"], before["present"], before["started"]) == (1, 0, False)

    world.sim.advance(29 * 60)
    assert rings_to(world, phone) == 0, "nobody is rung before the shift starts"

    world.sim.advance(60 + 10)  # the shift starts; her phone rings, she answers and presses 1
    assert rings_to(world, phone) == 1
    with bank.uow() as uow:
        seat = uow.session.exec(select(CallingSession).where(CallingSession.user_id == ada)).one()
    assert seat.campaign_id == campaign and seat.state is not SeatState.CONNECTING

    roll = dashboard.get(f"/organiser/campaigns/{campaign}/shifts/roll.json").get_json()["shift"]
    assert (roll["booked"], roll["present"], roll["missing"]) == (1, 1, 0)
    assert roll["volunteers"] == [{"name": "Ada", "status": "present", "called_in_by": "rung"}]
    page = dashboard.get(f"/organiser/campaigns/{campaign}/dashboard").get_data(as_text=True)
    assert '<strong data-roll="present">1</strong> present' in page


def test_a_booking_is_rung_once_however_many_workers_and_beats_reach_it(world):
    bank = world.services.phone_bank
    campaign = make_campaign(bank, voters=3)
    phone = drama_number(902)
    bo = make_volunteer(bank, "Bo", phone=phone)
    world.sim.set_behaviour(phone, Behaviour.no_answer())
    shift = publish(bank, campaign, in_minutes=5)
    shifts.book(bank.uow(), shift, bo, now=bank.clock.now())

    world.sim.advance(5 * 60)  # the shift's own job runs at its start
    assert shifts.call_in_due(bank) == 0, "a second worker finds nothing left to claim"
    assert shifts.call_in_due(bank, shift) == 0, "nor does the job run again"
    shifts.reschedule_upcoming(bank)  # as after Redis lost its jobs: a started shift is not queued again
    world.sim.advance(120)
    assert rings_to(world, phone) == 1


def test_the_dashboard_counts_a_booked_volunteer_who_did_not_answer_as_missing(world):
    bank = world.services.phone_bank
    campaign = make_campaign(bank, voters=3)
    phone = drama_number(903)
    cy = make_volunteer(bank, "Cy", phone=phone)
    world.sim.set_behaviour(phone, Behaviour.no_answer())
    shift = publish(bank, campaign, in_minutes=5)
    shifts.book(bank.uow(), shift, cy, now=bank.clock.now())

    world.sim.advance(5 * 60 + 120)
    roll = shifts.current_roll(bank.uow(), campaign, now=bank.clock.now())
    assert roll is not None and (len(roll.entries), roll.count("present"), roll.count("missing")) == (1, 0, 1)


def test_a_cancelled_booking_is_not_rung_and_a_volunteer_without_a_verified_phone_is_told_on_their_page(
    world,
):
    bank = world.services.phone_bank
    campaign = make_campaign(bank, voters=3)
    phone = drama_number(904)
    di = make_volunteer(bank, "Di", phone=phone)
    ed = make_volunteer(bank, "Ed")  # no phone: only their open pages can be told
    shift = publish(bank, campaign, in_minutes=5)
    for volunteer in (di, ed):
        shifts.book(bank.uow(), shift, volunteer, now=bank.clock.now())
    shifts.cancel_booking(bank.uow(), shift, di, now=bank.clock.now())

    world.sim.advance(5 * 60 + 30)
    assert rings_to(world, phone) == 0
    with bank.uow() as uow:
        how = {b.user_id: b.called_in_by for b in uow.session.exec(select(ShiftBooking)).all()}
    assert how == {di: "", ed: "page"}
    told = [
        (room, payload) for room, event, payload in bank.live.published if event == shifts.SHIFT_STARTED_EVENT
    ]
    assert told == [(shifts.volunteer_room(ed), {"shift": shift, "campaign": campaign, "rung": False})]


def test_workers_reaching_a_started_shift_at_the_same_instant_ring_each_volunteer_once(bank, telephony):
    campaign = make_campaign(bank, voters=3)
    people = {
        make_volunteer(bank, f"Vol{n}", phone=drama_number(910 + n)): drama_number(910 + n) for n in range(3)
    }
    now = bank.clock.now()
    with bank.uow() as uow:  # a shift that has just started and whose own job is lost
        shift = CallingShift(
            campaign_id=campaign, starts_at=now, ends_at=now + timedelta(hours=1), created_at=now
        )
        uow.session.add(shift)
        uow.commit()
        shift_id = shift.id
    assert shift_id is not None
    for volunteer in people:
        shifts.book(bank.uow(), shift_id, volunteer, now=now)

    claimed = all_at_once(4, lambda n: shifts.call_in_due(bank, shift_id if n % 2 else None))
    assert sum(claimed) == 3, "each booking claimed by exactly one of them"
    rung = sorted(call.to for _, call in telephony.placed)
    assert rung == sorted(people.values()), "each booked volunteer's phone rung exactly once"


def test_reminders_can_read_the_bookings_of_shifts_about_to_start(bank):
    campaign = make_campaign(bank)
    soon, later = publish(bank, campaign, in_minutes=30), publish(bank, campaign, in_minutes=180)
    ada, bo = make_volunteer(bank, "Ada"), make_volunteer(bank, "Bo")
    for shift, volunteer in ((soon, ada), (soon, bo), (later, ada)):
        shifts.book(bank.uow(), shift, volunteer, now=bank.clock.now())
    shifts.cancel_booking(bank.uow(), soon, bo, now=bank.clock.now())
    assert shifts.upcoming_bookings(bank.uow(), now=bank.clock.now(), within=timedelta(hours=1)) == [
        (soon, ada)
    ]


def shift_started(bank, campaign: int, *, minutes_ago: int) -> int:
    """A shift written straight to SQL that started `minutes_ago` (no job was queued for its start)."""
    now = bank.clock.now()
    with bank.uow() as uow:
        shift = CallingShift(
            campaign_id=campaign,
            starts_at=now - timedelta(minutes=minutes_ago),
            ends_at=now + timedelta(hours=1),
            created_at=now - timedelta(days=1),
        )
        uow.session.add(shift)
        uow.commit()
        assert shift.id is not None
        return shift.id


def test_the_heartbeat_calls_in_a_started_shift_whose_own_job_was_lost(bank, telephony):
    campaign = make_campaign(bank, voters=3)
    phone = drama_number(920)
    fay = make_volunteer(bank, "Fay", phone=phone)
    now = bank.clock.now()
    shift_id = shift_started(bank, campaign, minutes_ago=1)  # its job went with Redis
    shifts.book(bank.uow(), shift_id, fay, now=now - timedelta(hours=1))

    upkeep.heartbeat(bank)
    upkeep.heartbeat(bank)
    assert [call.to for _, call in telephony.placed] == [phone]


def test_a_booking_no_worker_reached_in_time_is_not_rung_late(bank, telephony):
    campaign = make_campaign(bank, voters=3)
    gus = make_volunteer(bank, "Gus", phone=drama_number(921))
    now = bank.clock.now()
    shift_id = shift_started(bank, campaign, minutes_ago=20)  # every worker was down since its start
    shifts.book(bank.uow(), shift_id, gus, now=now - timedelta(hours=1))

    assert shifts.call_in_due(bank) == 1
    assert telephony.placed == []
    with bank.uow() as uow:
        assert uow.session.exec(select(ShiftBooking)).one().called_in_by == "late"
