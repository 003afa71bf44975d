"""Places are never oversold, nor a pledge made twice, when many people press the button at once,
on SQLite and PostgreSQL.

The suite runs once per backend (embedded SQLite, then DATABASE_URL=postgresql://...), and these
tests use the session's database, so each run proves the row lock on its own backend.
"""

from collections import Counter

import pytest
from sqlmodel import col, select

from dialer.models import Campaign, CarpoolSeat, EventSignup, Pledge, PledgeSignup, ShareArrival, ShareCredit
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import carpools, cascade, events, pledge_page, pledges
from dialer.services.signups.carpools import CarpoolFull, SeatRequest
from tests import signup_factories as make
from tests.concurrency import all_at_once

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_fifty_people_signing_up_at_once_for_ten_places_fill_them_and_wait_for_the_rest(services):
    campaign_id = make.campaign(services)
    event_id = make.event(services, campaign_id, capacity=10)
    people = [make.user(services) for _ in range(50)]

    results = all_at_once(
        50, lambda i: events.sign_up(services.uow(), services.clock, event_id, user_id=people[i])
    )

    assert not [result for result in results if isinstance(result, Exception)]
    assert Counter(result.status for result in results) == {"confirmed": 10, "waitlist": 40}
    with services.uow() as uow:
        stored = uow.session.exec(
            select(EventSignup.status, EventSignup.user_id).where(EventSignup.event_id == event_id)
        ).all()
    assert Counter(status for status, _ in stored) == {"confirmed": 10, "waitlist": 40}
    assert len({user_id for _, user_id in stored}) == 50


def test_cancellations_at_once_promote_each_waiting_person_exactly_once(services):
    campaign_id = make.campaign(services)
    event_id = make.event(services, campaign_id, capacity=10)
    people = [make.user(services) for _ in range(30)]
    places = [events.sign_up(services.uow(), services.clock, event_id, user_id=person) for person in people]
    confirmed = [place for place in places if place.status == "confirmed"]

    promoted = all_at_once(
        5, lambda i: events.cancel(services.uow(), confirmed[i].id, user_id=confirmed[i].user_id)
    )

    assert not [result for result in promoted if isinstance(result, Exception)]
    assert len(set(promoted)) == 5
    summary = events.summary(services.uow(), event_id)
    assert (summary.confirmed, summary.waiting) == (10, 15)
    with services.uow() as uow:
        moved_up = uow.session.exec(
            select(EventSignup.user_id).where(col(EventSignup.id).in_(promoted))
        ).all()
    assert sorted(moved_up) == sorted(people[10:15])  # the longest-waiting, in sign-up order


def test_twenty_riders_asking_at_once_for_three_seats_never_oversell_the_car(services):
    campaign_id = make.campaign(services)
    event_id = make.event(services, campaign_id)
    driver = make.user(services)
    carpool_id = carpools.offer(
        services.uow(), services.clock, make.locate, event_id=event_id, driver_id=driver,
        pickup_postcode="N1 9GU", seats=3, departs_at=services.clock.now() + __import__("datetime").timedelta(days=2),
    )  # fmt: skip
    riders = [make.user(services) for _ in range(20)]

    results = all_at_once(
        20, lambda i: carpools.request_seat(services.uow(), services.clock, carpool_id, rider_id=riders[i])
    )

    seats = [result for result in results if isinstance(result, SeatRequest)]
    full = [result for result in results if isinstance(result, CarpoolFull)]
    assert (len(seats), len(full)) == (3, 17), [
        r for r in results if not isinstance(r, SeatRequest | CarpoolFull)
    ]
    with services.uow() as uow:
        held = uow.session.exec(select(CarpoolSeat.id).where(CarpoolSeat.carpool_id == carpool_id)).all()
    assert len(held) == 3


def _pledge(services):
    campaign_id = make.campaign(services)
    return pledges.create_pledge(
        services.uow(),
        campaign_id,
        slug="day-off",
        text="Take polling day off",
        clock=services.clock,
        actor=SYSTEM,
    )


def test_one_person_pressing_pledge_from_ten_tabs_at_once_pledges_once_and_each_tab_is_told_so(services):
    pledge_id = _pledge(services)

    results = all_at_once(
        10,
        lambda i: pledges.make_pledge(
            services.uow(), services.clock, pledge_id, channel="web", name="Ada", email="ADA@example.org "
        ),
    )

    assert not [result for result in results if isinstance(result, Exception)], results
    assert len({signup_id for signup_id, _ in results}) == 1
    assert sorted(new for _, new in results) == [False] * 9 + [True]
    with services.uow() as uow:
        stored = uow.session.exec(select(PledgeSignup.email).where(PledgeSignup.pledge_id == pledge_id)).all()
    assert stored == ["ada@example.org"]


def test_forty_people_pledging_at_once_are_forty_pledges(services):
    pledge_id = _pledge(services)

    results = all_at_once(
        40,
        lambda i: pledges.make_pledge(
            services.uow(), services.clock, pledge_id, channel="web", name=f"P{i}", email=f"p{i}@example.org"
        ),
    )

    assert not [result for result in results if isinstance(result, Exception)], results
    assert [new for _, new in results] == [True] * 40
    with services.uow() as uow:
        stored = uow.session.exec(select(PledgeSignup.email).where(PledgeSignup.pledge_id == pledge_id)).all()
    assert sorted(stored) == sorted(f"p{i}@example.org" for i in range(40))


def test_a_signed_in_volunteer_pressing_pledge_from_eight_tabs_at_once_pledges_once(services):
    pledge_id = _pledge(services)
    volunteer = make.user(services)

    results = all_at_once(
        8,
        lambda i: pledges.make_pledge(
            services.uow(), services.clock, pledge_id, channel="web", user_id=volunteer
        ),
    )

    assert not [result for result in results if isinstance(result, Exception)], results
    with services.uow() as uow:
        stored = uow.session.exec(
            select(PledgeSignup.user_id).where(PledgeSignup.pledge_id == pledge_id)
        ).all()
    assert stored == [volunteer]


def test_one_person_doing_four_things_through_a_link_at_once_arrives_once_and_credits_each_thing(services):
    campaign_id = make.campaign(services)
    pledge_id = pledges.create_pledge(
        services.uow(), campaign_id, slug="p", text="Knock up", clock=services.clock, actor=SYSTEM
    )
    code = a_link_to(services, pledge_id)

    # the same person, four requests at the same moment: two of them the same pledge (a double press)
    subjects = [("pledge", 1), ("pledge", 1), ("event", 2), ("knockup", 3)]
    results = all_at_once(
        4,
        lambda i: cascade.convert(
            services.uow(),
            services.clock,
            person_email="b@example.org",
            kind=subjects[i][0],
            subject_id=subjects[i][1],
            via=code,
        ),
    )

    assert not [result for result in results if isinstance(result, Exception)]
    assert results[0] == results[1] and len(set(results)) == 3 and None not in results
    with services.uow() as uow:
        arrivals = uow.session.exec(select(ShareArrival.person_email)).all()
        credits = uow.session.exec(select(ShareCredit.sharer_email)).all()
    assert arrivals == ["b@example.org"]
    assert credits == ["a@example.org"] * 3


def test_one_person_pledging_through_a_link_from_six_tabs_at_once_pledges_arrives_and_is_credited_once(
    services,
):
    pledge_id = _pledge(services)
    slugs = _slugs_of(services, pledge_id)
    code = a_link_to(services, pledge_id)

    results = all_at_once(
        6,
        lambda i: pledge_page.make(
            services.uow(),
            services.clock,
            *slugs,
            person_email="b@example.org",
            name="B",
            email="b@example.org",
            via=code,
        ),
    )

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sorted(new for _, new in results) == [False] * 5 + [True]
    with services.uow() as uow:
        assert len(uow.session.exec(select(PledgeSignup.id)).all()) == 1
        assert uow.session.exec(select(ShareArrival.person_email)).all() == ["b@example.org"]
        assert uow.session.exec(select(ShareCredit.sharer_email)).all() == ["a@example.org"]


def _slugs_of(services, pledge_id: int) -> tuple[str, str]:
    with services.uow() as uow:
        pledge = uow.session.get(Pledge, pledge_id)
        campaign = uow.session.get(Campaign, pledge.campaign_id)
        return campaign.slug, pledge.slug


def a_link_to(services, pledge_id: int) -> str:
    """A's own link to the pledge."""
    return cascade.link_for(
        services.uow(),
        services.clock,
        owner_email="a@example.org",
        owner_name="A",
        kind="pledge",
        target_id=pledge_id,
    ).code
