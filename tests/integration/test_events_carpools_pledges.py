"""Events, carpools and pledges as volunteers and organisers use them."""

from datetime import timedelta

import icalendar
import pytest

from dialer.errors import InvalidInput
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import carpools, events, pledges
from dialer.services.signups.carpools import CarpoolFull
from dialer.services.signups.events import EventDraft
from tests import signup_factories as make

pytestmark = pytest.mark.integration


def draft(services, **changes):
    starts = services.clock.now() + timedelta(days=3)
    values = {
        "ons_code": "E14001172", "title": "Saturday knock", "starts_at": starts, "ends_at": starts + timedelta(hours=3),
        "meeting_postcode": "sw1a1aa", "capacity": 2, "notes": "Meet by the gates",
    }  # fmt: skip
    values.update(changes)
    return EventDraft(**values)


def test_an_organiser_creates_an_event_at_a_located_meeting_point(services):
    campaign_id = make.campaign(services)
    organiser = make.user(services)
    event_id = events.create_event(
        services.uow(), services.clock, make.locate, draft(services, campaign_id=campaign_id), organiser
    )
    summary = events.summary(services.uow(), event_id, near=make.PLACES["LS1 4AP"])
    assert (summary.meeting_postcode, summary.capacity, summary.places_left) == ("SW1A 1AA", 2, 2)
    assert summary.distance_km is not None and 270 < summary.distance_km < 290  # Leeds to Westminster


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meeting_postcode": "nowhere"}, "not a UK postcode"),
        ({"meeting_postcode": "BS1 9ZZ"}, "was not found"),
        ({"capacity": 0}, "capacity"),
        ({"title": " "}, "title"),
        ({"ons_code": "E99999999"}, "no constituency"),
    ],
)
def test_an_event_form_with_a_mistake_is_refused_with_the_reason(services, changes, message):
    with pytest.raises(InvalidInput, match=message):
        events.create_event(services.uow(), services.clock, make.locate, draft(services, **changes), 1)


def test_an_event_that_ends_before_it_starts_is_refused(services):
    bad = draft(services)
    bad = EventDraft(**{**bad.__dict__, "ends_at": bad.starts_at - timedelta(minutes=1)})
    with pytest.raises(InvalidInput, match="end after it starts"):
        events.create_event(services.uow(), services.clock, make.locate, bad, 1)


def test_a_cancelled_place_goes_to_the_longest_waiting_person(services):
    campaign_id = make.campaign(services)
    event_id = make.event(services, campaign_id, capacity=1)
    first, second, third = (make.user(services) for _ in range(3))
    place = events.sign_up(services.uow(), services.clock, event_id, user_id=first)
    waiting = [events.sign_up(services.uow(), services.clock, event_id, user_id=u) for u in (second, third)]
    assert [place.status, *[w.status for w in waiting]] == ["confirmed", "waitlist", "waitlist"]
    assert events.cancel(services.uow(), place.id, user_id=first) == waiting[0].id
    assert events.places_of_volunteer(services.uow(), second)[event_id].status == "confirmed"
    assert events.places_of_volunteer(services.uow(), third)[event_id].status == "waitlist"


def test_signing_up_twice_keeps_one_place_and_more_capacity_moves_the_queue_up(services):
    campaign_id = make.campaign(services)
    event_id = make.event(services, campaign_id, capacity=1)
    first, second = make.user(services), make.user(services)
    assert events.sign_up(services.uow(), services.clock, event_id, user_id=first) == events.sign_up(
        services.uow(), services.clock, event_id, user_id=first
    )
    events.sign_up(services.uow(), services.clock, event_id, user_id=second)
    assert len(events.change_capacity(services.uow(), event_id, 2, clock=services.clock, actor=SYSTEM)) == 1
    assert events.summary(services.uow(), event_id).confirmed == 2
    with pytest.raises(InvalidInput, match="more people are confirmed"):
        events.change_capacity(services.uow(), event_id, 1, clock=services.clock, actor=SYSTEM)


def test_the_calendar_file_describes_the_event(services):
    event_id = make.event(services, make.campaign(services))
    data = events.calendar_for(services.uow(), services.clock, event_id, base_url="https://marginal.example")
    [entry] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(entry["UID"]) == f"event-{event_id}@marginal.example"
    assert str(entry["LOCATION"]) == "Meeting point: SW1A 1AA"


def offer(services, event_id, driver, postcode, seats=2):
    return carpools.offer(
        services.uow(), services.clock, make.locate, event_id=event_id, driver_id=driver, pickup_postcode=postcode,
        seats=seats, departs_at=services.clock.now() + timedelta(days=2),
    )  # fmt: skip


def test_riders_see_the_nearest_pickup_first_and_only_its_district(services):
    event_id = make.event(services, make.campaign(services))
    far = offer(services, event_id, make.user(services), "M1 1AE")
    near = offer(services, event_id, make.user(services), "SE1 7PB")
    rides = carpools.rides_to(
        services.uow(), services.clock, near=make.PLACES["SW1A 2AA"], event_ids=[event_id]
    )
    assert [ride.carpool_id for ride in rides] == [near, far]
    assert [ride.pickup_area for ride in rides] == ["SE1", "M1"]


def test_contact_details_are_shared_only_once_driver_and_rider_have_both_accepted(services):
    event_id = make.event(services, make.campaign(services))
    driver = make.user(services, first_name="Dana")
    rider = make.user(services, first_name="Rob", postcode="SW1A 2AA")
    carpool_id = offer(services, event_id, driver, "SE1 7PB")
    seat = carpools.request_seat(services.uow(), services.clock, carpool_id, rider_id=rider)

    [(_, [driver_view])] = carpools.seats_for_driver(services.uow(), make.locate, driver)
    [rider_view] = carpools.seats_for_rider(services.uow(), rider)
    assert (driver_view.other_name, driver_view.other_email) == ("Rob", None)
    assert (rider_view.other_email, rider_view.pickup) == (None, "SE1")
    assert driver_view.distance_km is not None and driver_view.distance_km < 2

    carpools.respond(services.uow(), seat.id, driver_id=driver, accept=True)
    [(_, [driver_view])] = carpools.seats_for_driver(services.uow(), make.locate, driver)
    [rider_view] = carpools.seats_for_rider(services.uow(), rider)
    assert (driver_view.other_email or "").endswith("@example.org") and driver_view.confirmed
    assert (rider_view.other_name, rider_view.pickup) == ("Dana", "SE1 7PB")


def test_a_declined_request_frees_the_seat_for_someone_else(services):
    event_id = make.event(services, make.campaign(services))
    driver = make.user(services)
    carpool_id = offer(services, event_id, driver, "SE1 7PB", seats=1)
    seat = carpools.request_seat(services.uow(), services.clock, carpool_id, rider_id=make.user(services))
    with pytest.raises(CarpoolFull):
        carpools.request_seat(services.uow(), services.clock, carpool_id, rider_id=make.user(services))
    carpools.respond(services.uow(), seat.id, driver_id=driver, accept=False)
    again = carpools.request_seat(services.uow(), services.clock, carpool_id, rider_id=make.user(services))
    assert again.status == "requested"
    with pytest.raises(InvalidInput, match="you are driving"):
        carpools.request_seat(services.uow(), services.clock, carpool_id, rider_id=driver)


def test_a_pledge_is_made_once_per_person_from_any_channel(services):
    campaign_id = make.campaign(services)
    pledge_id = pledges.create_pledge(
        services.uow(),
        campaign_id,
        slug="polling-day",
        text="Take the day off",
        clock=services.clock,
        actor=SYSTEM,
    )
    voter = make.voter(services, campaign_id)
    first = pledges.make_pledge(services.uow(), services.clock, pledge_id, channel="phone", voter_id=voter)
    again = pledges.make_pledge(services.uow(), services.clock, pledge_id, channel="doorstep", voter_id=voter)
    public = pledges.make_pledge(
        services.uow(), services.clock, pledge_id, channel="web", name="Sam", email="Sam@Example.org"
    )
    public_again = pledges.make_pledge(
        services.uow(), services.clock, pledge_id, channel="web", name="Sam", email="sam@example.org"
    )
    assert (first[1], again, public[1], public_again) == (True, (first[0], False), True, (public[0], False))
    [summary] = pledges.pledges_of(services.uow(), campaign_id)
    assert summary.count == 2
    with pytest.raises(InvalidInput, match="already has a pledge"):
        pledges.create_pledge(
            services.uow(), campaign_id, slug="polling-day", text="Again", clock=services.clock, actor=SYSTEM
        )
    with pytest.raises(InvalidInput, match="email address"):
        pledges.make_pledge(services.uow(), services.clock, pledge_id, channel="web", name="X", email="nope")
