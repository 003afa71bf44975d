"""The polling-day knock-up rota: pledgers book slots in a seat, a slot never takes more people than
its places (even when everyone presses at once, on SQLite and PostgreSQL), and giving a place up frees it.

The suite runs once per backend (embedded SQLite, then DATABASE_URL=postgresql://...), and these tests
use the session's database, so each run proves the conditional UPDATE on its own backend.
"""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from dialer.errors import Conflict, InvalidInput, NotFound
from dialer.models import CampaignSeat, Constituency, KnockUpBooking, KnockUpSlot, User
from dialer.services.compliance.audit import SYSTEM, Actor
from dialer.services.data_protection import volunteer_data
from dialer.services.signups import knock_up, pledges
from dialer.services.signups.knock_up import Booked, PledgeFirst, SlotFull
from tests import knock_up_builders as build
from tests import signup_factories as make
from tests.concurrency import all_at_once

pytestmark = [pytest.mark.integration]


def taken_and_booked(services, slot_id: int) -> tuple[int, int]:
    """The slot's counter and its live bookings, as SQL holds them."""
    with services.uow() as uow:
        slot = uow.session.get(KnockUpSlot, slot_id)
        assert slot is not None
        live = uow.session.exec(
            select(KnockUpBooking.id).where(
                KnockUpBooking.slot_id == slot_id, col(KnockUpBooking.cancelled_at).is_(None)
            )
        ).all()
        return slot.taken, len(live)


@pytest.mark.slow
def test_forty_pledgers_booking_six_places_at_once_get_six_places_and_the_rest_are_told_it_is_full(
    services,
):
    campaign_id = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    slot_id = build.slot(services, campaign_id, places=6)
    people = [build.pledger(services, pledge_id, f"knocker{i}@example.org") for i in range(40)]

    results = all_at_once(
        40, lambda i: knock_up.book(services.uow(), services.clock, slot_id, email=people[i])
    )

    booked = [result for result in results if isinstance(result, Booked)]
    full = [result for result in results if isinstance(result, SlotFull)]
    assert (len(booked), len(full)) == (6, 34), [r for r in results if not isinstance(r, Booked | SlotFull)]
    assert taken_and_booked(services, slot_id) == (6, 6)


@pytest.mark.slow
def test_one_pledger_pressing_book_ten_times_at_once_holds_one_place(services):
    campaign_id = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    slot_id = build.slot(services, campaign_id, places=3)
    email = build.pledger(services, pledge_id, "eager@example.org")

    results = all_at_once(10, lambda i: knock_up.book(services.uow(), services.clock, slot_id, email=email))

    assert not [result for result in results if isinstance(result, Exception)]
    assert len({result.booking_id for result in results}) == 1
    assert Counter(result.new for result in results)[True] <= 1
    assert taken_and_booked(services, slot_id) == (1, 1)


def test_the_database_refuses_a_slot_with_more_people_than_places_whoever_writes_it(services):
    campaign_id = make.campaign(services)
    slot_id = build.slot(services, campaign_id, places=2)
    with services.uow() as uow, pytest.raises(IntegrityError):
        uow.session.exec(update(KnockUpSlot).where(col(KnockUpSlot.id) == slot_id).values(taken=3))
        uow.commit()


def test_a_pledger_books_with_the_address_they_pledged_with_and_their_pledge_name(services):
    campaign_id = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    slot_id = build.slot(services, campaign_id)
    build.pledger(services, pledge_id, "robin@example.org", name="Robin")

    booked = knock_up.book(services.uow(), services.clock, slot_id, email=" Robin@Example.org ")

    with services.uow() as uow:
        booking = uow.session.get(KnockUpBooking, booked.booking_id)
        assert booking is not None
        assert (booking.email, booking.name, booking.user_id) == ("robin@example.org", "Robin", None)
    assert taken_and_booked(services, slot_id) == (1, 1)


def test_someone_who_made_none_of_the_campaigns_pledges_cannot_book(services):
    campaign_id = make.campaign(services)
    other_campaign = make.campaign(services)
    other_pledge = build.polling_day_pledge(services, other_campaign)
    slot_id = build.slot(services, campaign_id)
    build.pledger(services, other_pledge, "elsewhere@example.org")
    volunteer = make.user(services)

    with pytest.raises(PledgeFirst):
        knock_up.book(services.uow(), services.clock, slot_id, email="elsewhere@example.org")
    with pytest.raises(PledgeFirst):
        knock_up.book(services.uow(), services.clock, slot_id, email="person@example.org", user_id=volunteer)
    assert taken_and_booked(services, slot_id) == (0, 0)


def test_a_signed_in_volunteer_who_pledged_books_as_their_account(services):
    campaign_id = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    slot_id = build.slot(services, campaign_id)
    volunteer = make.user(services, first_name="Kit")
    pledges.make_pledge(services.uow(), services.clock, pledge_id, channel="web", user_id=volunteer)
    with services.uow() as uow:
        user = uow.session.get(User, volunteer)
        assert user is not None
        email = user.email

    booked = knock_up.book(services.uow(), services.clock, slot_id, email=email, user_id=volunteer)

    with services.uow() as uow:
        booking = uow.session.get(KnockUpBooking, booked.booking_id)
        assert booking is not None and (booking.user_id, booking.name) == (volunteer, "Kit")


def test_a_place_given_up_is_free_again_and_taking_it_back_counts_it_once(services):
    campaign_id = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    slot_id = build.slot(services, campaign_id, places=1)
    first = build.pledger(services, pledge_id, "first@example.org")
    second = build.pledger(services, pledge_id, "second@example.org")
    knock_up.book(services.uow(), services.clock, slot_id, email=first)
    with pytest.raises(SlotFull):
        knock_up.book(services.uow(), services.clock, slot_id, email=second)

    knock_up.cancel(services.uow(), services.clock, slot_id, email=first)
    with pytest.raises(NotFound):
        knock_up.cancel(services.uow(), services.clock, slot_id, email=first)  # not twice
    assert taken_and_booked(services, slot_id) == (0, 0)
    knock_up.book(services.uow(), services.clock, slot_id, email=second)
    with pytest.raises(SlotFull):
        knock_up.book(services.uow(), services.clock, slot_id, email=first)
    knock_up.cancel(services.uow(), services.clock, slot_id, email=second)
    again = knock_up.book(services.uow(), services.clock, slot_id, email=first)

    assert again.new is True
    assert taken_and_booked(services, slot_id) == (1, 1)


def test_a_slot_that_is_over_takes_no_bookings(services):
    campaign_id = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    slot_id = build.slot(services, campaign_id, starts_in=timedelta(minutes=30))
    email = build.pledger(services, pledge_id, "late@example.org")
    services.clock.advance(4 * 3600)

    with pytest.raises(Conflict, match="over"):
        knock_up.book(services.uow(), services.clock, slot_id, email=email)
    assert taken_and_booked(services, slot_id) == (0, 0)


def test_a_slot_is_published_only_in_one_of_the_campaigns_own_seats(services):
    campaign_id = make.campaign(services)
    other = make.campaign(services, ons_code="E14001300")

    with pytest.raises(InvalidInput, match="target seats"):
        build.slot(services, campaign_id, ons_code="E14001300")
    build.slot(services, other, ons_code="E14001300")
    with services.uow() as uow:
        seats = uow.session.exec(select(KnockUpSlot.campaign_id, KnockUpSlot.ons_code)).all()
    assert seats == [(other, "E14001300")]


def test_places_never_drop_below_the_places_booked_nor_change_through_another_campaign(services):
    campaign_id = make.campaign(services)
    other = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    slot_id = build.slot(services, campaign_id, places=3)
    for name in ("a", "b"):
        knock_up.book(
            services.uow(), services.clock, slot_id, email=build.pledger(services, pledge_id, f"{name}@x.org")
        )

    with pytest.raises(InvalidInput, match="more people have booked"):
        knock_up.change_places(services.uow(), services.clock, campaign_id, slot_id, 1, SYSTEM)
    with pytest.raises(NotFound):
        knock_up.change_places(services.uow(), services.clock, other, slot_id, 10, SYSTEM)
    knock_up.change_places(services.uow(), services.clock, campaign_id, slot_id, 2, SYSTEM)

    with services.uow() as uow:
        slot = uow.session.get(KnockUpSlot, slot_id)
        assert slot is not None and (slot.places, slot.taken) == (2, 2)


def test_the_organisers_rota_shows_each_seat_filled_and_missing(services):
    campaign_id = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    morning = build.slot(services, campaign_id, places=4)
    build.slot(services, campaign_id, places=6, starts_in=timedelta(days=1, hours=4))
    for name in ("a", "b", "c"):
        knock_up.book(
            services.uow(), services.clock, morning, email=build.pledger(services, pledge_id, f"{name}@x.org")
        )

    rota = knock_up.organiser_rota(services.uow(), campaign_id, now=services.clock.now())

    (seat,) = rota.seats
    assert (seat.places, seat.filled, seat.missing) == (10, 3, 7)
    assert [(slot.taken, slot.missing) for slot in seat.slots] == [(3, 1), (0, 6)]


def test_an_erased_volunteer_gives_up_their_coming_place_and_leaves_no_name_or_address(services):
    campaign_id = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    slot_id = build.slot(services, campaign_id, places=2)
    volunteer = make.user(services, first_name="Ezra")
    pledges.make_pledge(services.uow(), services.clock, pledge_id, channel="web", user_id=volunteer)
    with services.uow() as uow:
        user = uow.session.get(User, volunteer)
        assert user is not None
        email = user.email
    knock_up.book(services.uow(), services.clock, slot_id, email=email, user_id=volunteer)

    volunteer_data.erase_account(services.uow, services.clock, Actor(volunteer))

    with services.uow() as uow:
        (booking,) = uow.session.exec(select(KnockUpBooking)).all()
    assert booking.name == "" and email not in booking.email and booking.cancelled_at is not None
    assert taken_and_booked(services, slot_id) == (0, 0)


def test_a_pledger_is_offered_their_own_seat_first_and_only_target_seats_near_it(services):
    campaign_id = make.campaign(services)  # Cities of London and Westminster
    make.add(
        services,
        Constituency(
            ons_code="E14001331", name="Leeds Central and Headingley", country="England",
            boundary_set="2024", lat=53.81, lon=-1.56,
        ),
    )  # fmt: skip
    make.add(services, CampaignSeat(campaign_id=campaign_id, ons_code="E14001331"))
    build.slot(services, campaign_id)
    build.slot(services, campaign_id, ons_code="E14001331", postcode="LS1 4AP")
    slug = knock_up.organiser_rota(services.uow(), campaign_id, now=services.clock.now()).campaign_slug

    def seats(postcode: str) -> list[str]:
        rota = knock_up.rota_for(
            services.uow(), slug, now=services.clock.now(), locate=make.locate, postcode=postcode
        )
        return [seat.name for seat in rota.seats]

    assert seats("LS1 4AP") == ["Leeds Central and Headingley"]  # London is 270 km away
    assert seats("SW1A 2AA") == ["Cities of London and Westminster"]
    assert seats("") == ["Cities of London and Westminster", "Leeds Central and Headingley"]
