"""The demo seat as `dialer demo` seeds it: something to offer on the first call, a door-knock to join now,
and the pledge a volunteer can find from the marginals page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from dialer.domain.calling_hours import LONDON
from dialer.domain.roles import Role
from dialer.models import CarpoolSeat, Event, User, Voter
from dialer.services.accounts import accounts
from dialer.services.demo.demo import SLUG, seed_demo
from dialer.services.demo.demo_happenings import PLEDGE_SLUG, DemoHappenings, schedule, seed_demo_happenings
from dialer.services.signups import doorstep, signup_slot

pytestmark = pytest.mark.integration

VOLUNTEER = "volunteer@demo.marginal.invalid"


@dataclass
class DemoSeat:
    campaign_id: int
    volunteer_id: int
    made: DemoHappenings


def seed_the_demo(services, clock) -> DemoSeat:
    campaign_id = seed_demo(services.phone_bank, voters=120)
    accounts.seed_demo_accounts(services.uow(), services.passwords, clock)
    made = seed_demo_happenings(
        services.uow, clock, campaign_id=campaign_id, volunteer_email=VOLUNTEER, unusable_password_hash="x"
    )
    with services.uow() as uow:
        volunteer = uow.session.exec(select(User).where(User.email == VOLUNTEER)).one()
    assert volunteer.id is not None and volunteer.role is Role.VOLUNTEER
    return DemoSeat(campaign_id, volunteer.id, made)


def test_a_door_knock_is_on_now_and_the_demo_volunteer_can_open_its_walk_list_of_addresses(
    seeded_services, clock
):
    demo = seed_the_demo(seeded_services, clock)
    assert demo.made.event_now_id is not None
    with seeded_services.uow() as uow:
        event = uow.session.get(Event, demo.made.event_now_id)
        assert event is not None and event.starts_at is not None and event.ends_at is not None
        assert event.starts_at <= clock.now() < event.ends_at and event.campaign_id == demo.campaign_id
    assert doorstep.is_canvassing(seeded_services.uow(), clock, demo.volunteer_id, demo.made.event_now_id)
    walk = doorstep.walk_list(seeded_services.uow(), demo.made.event_now_id)
    assert len(walk.doors) >= 8
    assert all(door.address and door.postcode.startswith("SW1V ") for door in walk.doors)


def test_every_demo_voter_is_offered_an_event_a_carpool_and_the_pledge_on_the_first_call(
    seeded_services, clock
):
    demo = seed_the_demo(seeded_services, clock)
    with seeded_services.uow() as uow:
        voter_ids = uow.session.exec(select(Voter.id).where(Voter.campaign_id == demo.campaign_id)).all()
    locate = seeded_services.seat_finder.point_of
    for voter_id in voter_ids:
        assert voter_id is not None
        options = signup_slot.options_for(seeded_services.uow(), clock, locate, voter_id)
        assert options.events and options.rides, f"voter {voter_id} is offered nothing nearby"
        assert [pledge.id for pledge in options.pledges] == [demo.made.pledge_id]


def test_the_demo_has_carpools_offered_and_asked_for(seeded_services, clock):
    demo = seed_the_demo(seeded_services, clock)
    assert demo.made.carpools >= 3
    with seeded_services.uow() as uow:
        asked = uow.session.exec(select(CarpoolSeat).where(CarpoolSeat.status == "requested")).all()
    assert len(asked) == 2
    assert demo.volunteer_id in {seat.rider_id for seat in asked}, "the volunteer has asked for a lift"


def test_running_the_demo_again_adds_nothing_while_a_door_knock_is_on(seeded_services, clock):
    demo = seed_the_demo(seeded_services, clock)
    clock.advance(3600)
    again = seed_demo_happenings(
        seeded_services.uow,
        clock,
        campaign_id=demo.campaign_id,
        volunteer_email=VOLUNTEER,
        unusable_password_hash="x",
    )
    assert again == DemoHappenings(0, 0, demo.made.pledge_id, demo.made.event_now_id)


def test_the_next_day_the_demo_puts_on_a_new_door_knock_now(seeded_services, clock):
    demo = seed_the_demo(seeded_services, clock)
    clock.advance(24 * 3600)
    later = seed_demo_happenings(
        seeded_services.uow,
        clock,
        campaign_id=demo.campaign_id,
        volunteer_email=VOLUNTEER,
        unusable_password_hash="x",
    )
    assert later.events == 3 and later.event_now_id not in (None, demo.made.event_now_id)
    assert later.pledge_id == demo.made.pledge_id


def test_the_marginals_page_near_the_demo_volunteer_offers_the_demo_pledge(
    seeded_services, seeded_client, clock
):
    seed_the_demo(seeded_services, clock)
    html = seeded_client.get("/marginals?postcode=SW1A+1AA").get_data(as_text=True)
    assert f'href="/pledge/{SLUG}/{PLEDGE_SLUG}"' in html
    assert "Make the pledge" in html


@pytest.mark.parametrize("london_time", ["00:10", "09:00", "16:59", "17:00", "23:55"])
def test_whatever_the_hour_one_door_knock_is_on_and_the_others_are_still_to_come(london_time):
    hour, minute = map(int, london_time.split(":"))
    now = datetime(2026, 12, 12, hour, minute, tzinfo=LONDON).astimezone(UTC)  # a Saturday
    on_now, *later = schedule(now)
    assert on_now.starts_at <= now < on_now.ends_at
    assert all(now < happening.starts_at < now + timedelta(days=8) for happening in later)
