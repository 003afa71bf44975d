"""What is on in the demo phone bank's seat, so that the first conversation has something to offer.

Each `dialer demo` run makes sure the demo campaign has an open pledge and, unless one is already
under way, a fresh set of door-knocks around that moment: one happening now in Pimlico (its walk
list is the demo voters with an address in SW1V, and the demo volunteer has a place on it and is
approved to canvass, so doorstep mode opens at once), an evening canvass and a Saturday morning
one; carpools offered to the later two by the demo drivers, one offered by the demo volunteer with
a seat asked for by another demo account, and one the demo volunteer has asked for. Everything is fictional and titled
"(demo)"; the drivers are the accounts at demo.invalid that nobody can sign in to.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain.roles import Role
from dialer.errors import NotFound
from dialer.models import (
    Carpool,
    CarpoolSeat,
    Event,
    EventSignup,
    Pledge,
    PledgeSignup,
    PostcodeDistrict,
    User,
)
from dialer.ports import UnitOfWorkFactory
from dialer.services.compliance.audit import SYSTEM
from dialer.services.demo.demo import SEAT
from dialer.services.demo.demo_content import DRIVERS, LONDON, demo_account
from dialer.services.signups import doorstep

PLEDGE_SLUG = "polling-day"
PLEDGE_TEXT = (
    "I will take polling day off to knock on doors in Cities of London and Westminster, "
    "from 7am until the polls close at 10pm."
)
#: Supporters shown as having pledged already, so the counter does not start at nought.
EARLIER_PLEDGES = 37


@dataclass(frozen=True)
class Happening:
    """A door-knock: where it meets (a postcode district of the seat) and when."""

    title: str
    district: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class DemoHappenings:
    events: int
    carpools: int
    pledge_id: int
    event_now_id: int | None


def seed_demo_happenings(
    uow: UnitOfWorkFactory,
    clock: Clock,
    *,
    campaign_id: int,
    volunteer_email: str,
    unusable_password_hash: str,
) -> DemoHappenings:
    """The demo campaign's pledge (once) and a set of door-knocks unless one is under way now."""
    now = clock.now()
    with uow() as unit:
        session = unit.session
        pledge_id = _pledge(session, campaign_id, now)
        volunteer = session.exec(select(User).where(User.email == volunteer_email)).first()
        if volunteer is None or volunteer.id is None:
            raise LookupError(f"no demo volunteer {volunteer_email}: seed the demo accounts first")
        under_way = session.exec(
            select(Event.id).where(
                Event.campaign_id == campaign_id, col(Event.starts_at) <= now, col(Event.ends_at) > now
            )
        ).first()
        if under_way is not None:
            unit.commit()
            _approve_canvasser(uow, clock, int(under_way), volunteer.id)
            return DemoHappenings(0, 0, pledge_id, int(under_way))
        organiser = session.exec(
            select(User).where(
                User.role == Role.ORGANISER, col(User.email).endswith("@demo.marginal.invalid")
            )
        ).first()
        drivers = [
            demo_account(session, n, e, Role.VOLUNTEER, unusable_password_hash, now) for n, e in DRIVERS
        ]
        events = [
            _event(session, campaign_id, happening, organiser.id if organiser else None)
            for happening in schedule(now)
        ]
        now_event, evening, saturday = events
        session.add(_place(now_event, volunteer.id, now))
        session.add(_place(saturday, volunteer.id, now))
        carpools = [
            _carpool(session, evening, drivers[0], "SW9", now, seats=3),
            _carpool(session, saturday, drivers[1], "N1", now, seats=4),
            _carpool(session, saturday, volunteer, "SE1", now, seats=2),
            _carpool(session, evening, drivers[2], "E8", now, seats=2),
        ]
        session.flush()
        # Asked for: a rider waiting for the volunteer's answer, and the volunteer's own request.
        session.add(_request(carpools[2], drivers[2], now))
        session.add(_request(carpools[3], volunteer, now))
        unit.commit()
        assert now_event.id is not None
        _approve_canvasser(uow, clock, now_event.id, volunteer.id)
        return DemoHappenings(len(events), len(carpools), pledge_id, now_event.id)


def _approve_canvasser(uow: UnitOfWorkFactory, clock: Clock, event_id: int, volunteer_id: int) -> None:
    """The demo volunteer is approved to canvass the door-knock on now, as an organiser would."""
    with contextlib.suppress(NotFound):  # a demo database from before places were approved
        doorstep.approve_canvasser(uow(), clock, SYSTEM, event_id, volunteer_id)


def schedule(now: datetime) -> list[Happening]:
    """Now (started within the last half hour), this evening (or tomorrow's) and next Saturday."""
    local = now.astimezone(LONDON)
    started = (local - timedelta(minutes=30)).replace(second=0, microsecond=0)
    started -= timedelta(minutes=started.minute % 15)
    today = local.date()
    evening = today + timedelta(days=0 if local.hour < 17 else 1)
    saturday = today + timedelta(days=(5 - local.weekday()) % 7 or 7)

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)

    return [
        Happening(
            "Door-knocking in Pimlico now (demo)",
            "SW1V",
            started.astimezone(UTC),
            (started + timedelta(hours=3)).astimezone(UTC),
        ),
        Happening("Evening canvass in Marylebone (demo)", "W1U", at(evening, 18), at(evening, 20, 30)),
        Happening("Saturday door-knock in Victoria (demo)", "SW1P", at(saturday, 10), at(saturday, 13)),
    ]


def _event(session: Session, campaign_id: int, happening: Happening, organiser_id: int | None) -> Event:
    district = session.get(PostcodeDistrict, happening.district)
    lat, lon = (district.lat, district.lon) if district else (SEAT.lat, SEAT.lon)
    event = Event(
        campaign_id=campaign_id,
        ons_code=SEAT.ons_code,
        title=happening.title,
        starts_at=happening.starts_at,
        ends_at=happening.ends_at,
        meeting_postcode=happening.district,
        lat=lat,
        lon=lon,
        capacity=15,
        notes="Fictional event created by `dialer demo`: the doors are demo voters, not real homes.",
        created_by_id=organiser_id,
    )
    session.add(event)
    session.flush()
    return event


def _place(event: Event, user_id: int, now: datetime) -> EventSignup:
    return EventSignup(event_id=event.id or 0, user_id=user_id, status="confirmed", created_at=now)


def _carpool(
    session: Session, event: Event, driver: User, outcode: str, now: datetime, *, seats: int
) -> Carpool:
    assert event.starts_at is not None
    pickup = session.get(PostcodeDistrict, outcode)
    carpool = Carpool(
        event_id=event.id or 0,
        driver_id=driver.id or 0,
        pickup_postcode=outcode,
        lat=pickup.lat if pickup else event.lat,
        lon=pickup.lon if pickup else event.lon,
        seats_offered=seats,
        departs_at=event.starts_at - timedelta(minutes=40),
        notes="Fictional carpool created by `dialer demo`.",
        created_at=now,
    )
    session.add(carpool)
    return carpool


def _request(carpool: Carpool, rider: User, now: datetime) -> CarpoolSeat:
    return CarpoolSeat(carpool_id=carpool.id or 0, rider_id=rider.id, rider_accepted=True, created_at=now)


def _pledge(session: Session, campaign_id: int, now: datetime) -> int:
    pledge = session.exec(
        select(Pledge).where(Pledge.campaign_id == campaign_id, Pledge.slug == PLEDGE_SLUG)
    ).first()
    if pledge is None:
        pledge = Pledge(campaign_id=campaign_id, slug=PLEDGE_SLUG, text=PLEDGE_TEXT)
        session.add(pledge)
        session.flush()
        for _ in range(EARLIER_PLEDGES):
            session.add(PledgeSignup(pledge_id=pledge.id or 0, name="Demo supporter", created_at=now))
    assert pledge.id is not None
    return pledge.id
