"""Fictional door-knocking sessions and carpools for `dialer demo`, so the volunteer's page has life.

Everything made here is invented and says so: events are titled "(demo)", their organiser and
drivers are accounts at demo.invalid that nobody can sign in to (their password is a random secret
that is thrown away), and sign-ups carry no personal data. The seats are real: in each region, the
three tightest Labour marginals at GE2024. Running it again adds nothing while an earlier batch is still
upcoming.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain.distance import great_circle_km
from dialer.domain.elections import DEFAULT_ELECTION, ELECTIONS
from dialer.domain.marginality import MarginalityRule
from dialer.domain.roles import Role
from dialer.models import (
    Carpool,
    Constituency,
    ConstituencyPoint,
    ElectionResult,
    Event,
    EventSignup,
    PostcodeDistrict,
    User,
)
from dialer.ports import UnitOfWorkFactory

LONDON = ZoneInfo("Europe/London")
ORGANISER = ("Demo organiser", "organiser@demo.invalid")
DRIVERS = [
    ("Asha", "asha.driver@demo.invalid"),
    ("Tom", "tom.driver@demo.invalid"),
    ("Nia", "nia.driver@demo.invalid"),
]
SEATS_PER_REGION = 3
#: Carpools start from a district about this far from the meeting point.
CARPOOL_KM = (12.0, 40.0)


@dataclass(frozen=True)
class DemoContent:
    events: int
    carpools: int
    signups: int


def seed_demo_content(uow: UnitOfWorkFactory, clock: Clock, *, unusable_password_hash: str) -> DemoContent:
    """Create a fresh batch of demo events unless one is still to come."""
    now = clock.now()
    with uow() as unit:
        session = unit.session
        organiser = demo_account(session, *ORGANISER, Role.ORGANISER, unusable_password_hash, now)
        drivers = [
            demo_account(session, n, e, Role.VOLUNTEER, unusable_password_hash, now) for n, e in DRIVERS
        ]
        upcoming = session.exec(
            select(Event.id).where(Event.created_by_id == organiser.id, col(Event.ends_at) > now).limit(1)
        ).first()
        if upcoming is not None:
            unit.commit()
            return DemoContent(0, 0, 0)
        districts = session.exec(
            select(PostcodeDistrict).where(
                col(PostcodeDistrict.is_active).is_(True), col(PostcodeDistrict.non_geographic).is_(False)
            )
        ).all()
        made = DemoContent(0, 0, 0)
        for seat_index, (seat, lat, lon) in enumerate(_tightest_marginals_by_region(session)):
            made = _door_knocks(session, seat, lat, lon, districts, organiser, drivers, seat_index, now, made)
        unit.commit()
        return made


def demo_account(
    session: Session, name: str, email: str, role: Role, password_hash: str, now: datetime
) -> User:
    """The fictional account with this address, made (unable to sign in) if it is not there yet."""
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        user = User(email=email, password_hash=password_hash, first_name=name, role=role, created_at=now)
        session.add(user)
        session.flush()
    return user


def _tightest_marginals_by_region(session: Session) -> list[tuple[Constituency, float, float]]:
    rule = MarginalityRule()
    boundary_set = ELECTIONS[DEFAULT_ELECTION].boundary_set.value
    rows = session.exec(
        select(ElectionResult, Constituency, ConstituencyPoint)
        .join(Constituency, col(Constituency.ons_code) == ElectionResult.ons_code)
        .join(
            ConstituencyPoint,
            (col(ConstituencyPoint.ons_code) == ElectionResult.ons_code)
            & (col(ConstituencyPoint.boundary_set) == boundary_set),
        )
        .where(ElectionResult.election == DEFAULT_ELECTION)
        .order_by(col(ElectionResult.majority_pct), col(ElectionResult.ons_code))
    ).all()
    chosen: dict[str, list[tuple[Constituency, float, float]]] = {}
    for result, seat, point in rows:
        if rule.is_marginal(result.winner_party, result.runner_up_party, result.majority_pct):
            in_region = chosen.setdefault(seat.region or seat.country, [])
            if len(in_region) < SEATS_PER_REGION:
                in_region.append((seat, point.lat, point.lon))
    return sorted((c for region in chosen.values() for c in region), key=lambda item: item[0].ons_code)


def _door_knocks(
    session: Session,
    seat: Constituency,
    lat: float,
    lon: float,
    districts: Sequence[PostcodeDistrict],
    organiser: User,
    drivers: list[User],
    seat_index: int,
    now: datetime,
    made: DemoContent,
) -> DemoContent:
    """A Saturday morning and a weekday evening session in the seat, with a carpool to the first."""
    meeting = min(districts, key=lambda d: great_circle_km(lat, lon, d.lat, d.lon))
    today = now.astimezone(LONDON).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    evening = today + timedelta(days=2 + seat_index % 3)
    sessions = [
        (f"Door-knocking in {seat.name} (demo)", saturday, time(10, 0), time(13, 0)),
        (f"Evening canvass in {seat.name} (demo)", evening, time(18, 0), time(20, 30)),
    ]
    events = carpools = signups = 0
    for number, (title, day, start, end) in enumerate(sessions):
        starts_at = datetime.combine(day, start, LONDON).astimezone(UTC)
        event = Event(
            ons_code=seat.ons_code,
            title=title,
            starts_at=starts_at,
            ends_at=datetime.combine(day, end, LONDON).astimezone(UTC),
            meeting_postcode=meeting.outcode,
            lat=meeting.lat,
            lon=meeting.lon,
            capacity=20,
            notes="Fictional event created by `dialer demo`: not a real campaign session.",
            created_by_id=organiser.id,
        )
        session.add(event)
        session.flush()
        events += 1
        taken = zlib.crc32(f"{seat.ons_code}/{number}".encode()) % 12
        for _ in range(taken):
            session.add(EventSignup(event_id=event.id or 0, name="Demo volunteer", created_at=now))
        signups += taken
        pickup = _pickup_district(districts, meeting)
        if number == 0 and pickup is not None:
            session.add(
                Carpool(
                    event_id=event.id or 0,
                    driver_id=drivers[seat_index % len(drivers)].id or 0,
                    pickup_postcode=pickup.outcode,
                    lat=pickup.lat,
                    lon=pickup.lon,
                    seats_offered=3,
                    departs_at=starts_at - timedelta(minutes=45),
                    notes="Fictional carpool created by `dialer demo`.",
                    created_at=now,
                )
            )
            carpools += 1
    return DemoContent(made.events + events, made.carpools + carpools, made.signups + signups)


def _pickup_district(
    districts: Sequence[PostcodeDistrict], meeting: PostcodeDistrict
) -> PostcodeDistrict | None:
    """A district a drive away from the meeting point: the one nearest to the middle of CARPOOL_KM."""
    low, high = CARPOOL_KM
    middle = (low + high) / 2
    candidates = [
        (abs(km - middle), d.outcode, d)
        for d in districts
        if low <= (km := great_circle_km(meeting.lat, meeting.lon, d.lat, d.lon)) <= high
    ]
    return min(candidates)[2] if candidates else None
