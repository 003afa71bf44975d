"""What is happening in each seat: upcoming events, carpools, committed volunteers, open phone banks.

Two read models. `ActivityBoard` holds every seat's counts, from a few grouped queries, cached for
a few seconds per process: a look-up (and its "needs you most" ranking) reads a dictionary, and a
new event or phone bank shows up within `ttl_s` (15 s by default), which is fresh enough for
choosing where to volunteer and keeps the database out of the look-up path. The page then reads
the counts, events and carpools of the few seats it lists fresh (`count_activity(only=...)`,
`upcoming_events()`), so what a volunteer sees on a card is never stale.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from dialer.clock import Clock
from dialer.domain.campaigns import CampaignStatus
from dialer.domain.postcodes import InvalidPostcode, parse_postcode
from dialer.models import (
    Campaign,
    CampaignSeat,
    Carpool,
    CarpoolSeat,
    Constituency,
    Event,
    EventSignup,
    Pledge,
)
from dialer.ports import UnitOfWorkFactory

DEFAULT_TTL_S = 15.0
#: Sign-up statuses that hold a place at an event.
CONFIRMED = "confirmed"


#: A seat's volunteer target until an organiser sets one.
DEFAULT_VOLUNTEER_TARGET: int = Constituency.model_fields["volunteer_target"].default


@dataclass(frozen=True, slots=True)
class SeatActivity:
    #: How many volunteers the seat's organisers want (they may change it at any time).
    volunteer_target: int = DEFAULT_VOLUNTEER_TARGET
    upcoming_events: int = 0
    carpools: int = 0
    #: Confirmed places at the seat's upcoming events.
    committed_volunteers: int = 0
    #: Active campaigns targeting the seat, oldest first.
    phone_banks: tuple[int, ...] = ()

    @property
    def open_phone_banks(self) -> int:
        return len(self.phone_banks)


NO_ACTIVITY = SeatActivity()


def count_activity(
    session: Session, now: datetime, only: Collection[str] | None = None
) -> dict[str, SeatActivity]:
    """Every seat's counts and volunteer target (or only those of the seats named)."""

    def of(column: Any) -> Any:
        return col(column).in_(sorted(only)) if only is not None else sa.true()

    activity = {
        code: SeatActivity(volunteer_target=target)
        for code, target in session.exec(
            select(Constituency.ons_code, Constituency.volunteer_target).where(of(Constituency.ons_code))
        )
    }
    upcoming = (col(Event.ends_at) > now) & of(Event.ons_code)
    events = session.exec(
        select(Event.ons_code, func.count(col(Event.id))).where(upcoming).group_by(Event.ons_code)
    ).all()
    carpools = session.exec(
        select(Event.ons_code, func.count(col(Carpool.id)))
        .join(Carpool, col(Carpool.event_id) == Event.id)
        .where(upcoming, col(Carpool.departs_at) > now)
        .group_by(Event.ons_code)
    ).all()
    committed = session.exec(
        select(Event.ons_code, func.count(col(EventSignup.id)))
        .join(EventSignup, col(EventSignup.event_id) == Event.id)
        .where(upcoming, EventSignup.status == CONFIRMED)
        .group_by(Event.ons_code)
    ).all()
    phone_banks = session.exec(
        select(CampaignSeat.ons_code, Campaign.id)
        .join(Campaign, col(Campaign.id) == CampaignSeat.campaign_id)
        .where(Campaign.status == CampaignStatus.ACTIVE, of(CampaignSeat.ons_code))
        .order_by(col(Campaign.id))
    ).all()
    for code, n in events:
        activity[code] = replace(activity.get(code, NO_ACTIVITY), upcoming_events=n)
    for code, n in carpools:
        activity[code] = replace(activity.get(code, NO_ACTIVITY), carpools=n)
    for code, n in committed:
        activity[code] = replace(activity.get(code, NO_ACTIVITY), committed_volunteers=n)
    for code, campaign_id in phone_banks:
        assert campaign_id is not None
        seat = activity.get(code, NO_ACTIVITY)
        activity[code] = replace(seat, phone_banks=(*seat.phone_banks, campaign_id))
    return activity


class ActivityBoard:
    """Every seat's activity counts, re-read from SQL when older than `ttl_s` (thread-safe)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ttl_s: float = DEFAULT_TTL_S) -> None:
        self._uow = uow
        self._clock = clock
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._counts: Mapping[str, SeatActivity] = {}
        self._read_at: float | None = None

    def current(self) -> Mapping[str, SeatActivity]:
        read_at = self._read_at
        if read_at is not None and self._clock.monotonic() - read_at < self._ttl_s:
            return self._counts
        with self._lock:
            if self._read_at is None or self._clock.monotonic() - self._read_at >= self._ttl_s:
                with self._uow() as uow:
                    self._counts = count_activity(uow.session, self._clock.now())
                self._read_at = self._clock.monotonic()
            return self._counts

    def invalidate(self) -> None:
        """Make the next look-up re-read the counts (after this process changed events or campaigns)."""
        self._read_at = None


@dataclass(frozen=True, slots=True)
class CarpoolListing:
    pickup_district: str  # only the outward code: a driver's full postcode is their address
    departs_at: datetime
    seats_left: int


@dataclass(frozen=True, slots=True)
class EventListing:
    id: int
    ons_code: str
    title: str
    starts_at: datetime
    ends_at: datetime
    meeting_point: str
    capacity: int
    places_taken: int
    carpools: list[CarpoolListing] = field(default_factory=list)

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.places_taken)


def upcoming_events(
    session: Session, ons_codes: Iterable[str], now: datetime, *, per_seat: int = 3
) -> dict[str, list[EventListing]]:
    """The next few events of each seat, soonest first, each with its carpools yet to leave."""
    codes = sorted(set(ons_codes))
    if not codes:
        return {}
    taken = (
        select(func.count(col(EventSignup.id)))
        .where(EventSignup.event_id == Event.id, EventSignup.status == CONFIRMED)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Event, taken)
        .where(col(Event.ons_code).in_(codes), col(Event.ends_at) > now)
        .order_by(col(Event.starts_at), col(Event.id))
    ).all()
    listings: dict[str, list[EventListing]] = defaultdict(list)
    for event, places_taken in rows:
        if len(listings[event.ons_code]) < per_seat:
            assert event.id is not None and event.starts_at and event.ends_at
            listings[event.ons_code].append(
                EventListing(
                    event.id,
                    event.ons_code,
                    event.title,
                    event.starts_at,
                    event.ends_at,
                    event.meeting_postcode,
                    event.capacity,
                    int(places_taken),
                )
            )
    by_id = {listing.id: listing for seat in listings.values() for listing in seat}
    if by_id:
        accepted = (
            select(func.count(col(CarpoolSeat.id)))
            .where(CarpoolSeat.carpool_id == Carpool.id, CarpoolSeat.status == "accepted")
            .scalar_subquery()
        )
        carpools = session.exec(
            select(Carpool, accepted)
            .where(col(Carpool.event_id).in_(by_id), col(Carpool.departs_at) > now)
            .order_by(col(Carpool.departs_at), col(Carpool.id))
        ).all()
        for carpool, seats_taken in carpools:
            assert carpool.departs_at is not None
            by_id[carpool.event_id].carpools.append(
                CarpoolListing(
                    _district(carpool.pickup_postcode),
                    carpool.departs_at,
                    max(0, carpool.seats_offered - int(seats_taken)),
                )
            )
    return dict(listings)


@dataclass(frozen=True, slots=True)
class PledgeListing:
    """An open pledge of a campaign working in the seat, and where it is made."""

    text: str
    campaign_name: str
    url: str


def open_pledges(session: Session, ons_codes: Iterable[str]) -> dict[str, list[PledgeListing]]:
    """The open pledges of the active campaigns targeting each seat, oldest campaign first."""
    codes = sorted(set(ons_codes))
    if not codes:
        return {}
    rows = session.exec(
        select(CampaignSeat.ons_code, Pledge, Campaign.name, Campaign.slug)
        .join(Campaign, col(Campaign.id) == CampaignSeat.campaign_id)
        .join(Pledge, col(Pledge.campaign_id) == Campaign.id)
        .where(
            col(CampaignSeat.ons_code).in_(codes),
            Campaign.status == CampaignStatus.ACTIVE,
            col(Pledge.active).is_(True),
        )
        .order_by(col(Campaign.id), col(Pledge.id))
    ).all()
    listings: dict[str, list[PledgeListing]] = defaultdict(list)
    for code, pledge, campaign_name, campaign_slug in rows:
        listings[code].append(
            PledgeListing(pledge.text, campaign_name, f"/pledge/{campaign_slug}/{pledge.slug}")
        )
    return dict(listings)


def _district(postcode: str) -> str:
    try:
        return parse_postcode(postcode).outward
    except InvalidPostcode:
        return "?"
