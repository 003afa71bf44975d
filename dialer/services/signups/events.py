"""Door-knocking events: creating them, places and the waiting list, and the calendar file.

A place is taken under the event's row lock (see row_locks), so 50 people pressing "sign up" for
10 places at once get 10 confirmed places and 40 waiting-list places, on SQLite as on PostgreSQL.
When a confirmed place is cancelled (or the capacity grows), the longest-waiting people move up in
the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain.event_calendar import CalendarEntry, calendar_file
from dialer.domain.places import Locate, Point, distance_km, place_of
from dialer.errors import InvalidInput, NotFound
from dialer.models import Campaign, CampaignSeat, Constituency, Event, EventSignup, User, Voter
from dialer.ports import UnitOfWork
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor
from dialer.services.row_locks import hold

CONFIRMED = "confirmed"
WAITLIST = "waitlist"
CANCELLED = "cancelled"
ACTIVE = (CONFIRMED, WAITLIST)
MAX_CAPACITY = 10_000


@dataclass(frozen=True)
class EventDraft:
    """What an organiser fills in to create an event."""

    ons_code: str
    title: str
    starts_at: datetime
    ends_at: datetime
    meeting_postcode: str
    capacity: int
    notes: str = ""
    campaign_id: int | None = None


@dataclass(frozen=True)
class Place:
    """Someone's place at an event (or on its waiting list)."""

    id: int
    event_id: int
    status: str
    user_id: int | None
    voter_id: int | None

    @classmethod
    def of(cls, signup: EventSignup) -> Place:
        assert signup.id is not None
        return cls(signup.id, signup.event_id, signup.status, signup.user_id, signup.voter_id)


@dataclass(frozen=True)
class EventSummary:
    """An event as lists show it: places left, the waiting list, how far away it is."""

    id: int
    title: str
    ons_code: str
    seat_name: str
    starts_at: datetime
    ends_at: datetime
    meeting_postcode: str
    notes: str
    capacity: int
    confirmed: int
    waiting: int
    distance_km: float | None
    campaign_id: int | None

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.confirmed)


@dataclass(frozen=True)
class CampaignCard:
    """What the organiser's event form needs to know about the campaign."""

    id: int
    name: str
    slug: str
    seats: list[tuple[str, str]]  # (ons_code, name)


def campaign_card(uow: UnitOfWork, campaign_id: int) -> CampaignCard:
    with uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        seats = uow.session.exec(
            select(Constituency.ons_code, Constituency.name)
            .join(CampaignSeat, col(CampaignSeat.ons_code) == col(Constituency.ons_code))
            .where(CampaignSeat.campaign_id == campaign_id)
            .order_by(col(Constituency.name))
        ).all()
        return CampaignCard(campaign_id, campaign.name, campaign.slug, [(code, name) for code, name in seats])


def create_event(uow: UnitOfWork, clock: Clock, locate: Locate, draft: EventDraft, created_by_id: int) -> int:
    """Check the organiser's form and save the event; returns its id."""
    title = draft.title.strip()
    if not title or len(title) > 120:
        raise InvalidInput("give the event a title of at most 120 characters", field="title")
    if draft.starts_at.tzinfo is None or draft.ends_at.tzinfo is None:
        raise InvalidInput("start and end need a time zone", field="starts_at")
    if draft.ends_at <= draft.starts_at:
        raise InvalidInput("the event must end after it starts", field="ends_at")
    if draft.ends_at - draft.starts_at > timedelta(hours=24):
        raise InvalidInput("an event lasts at most 24 hours", field="ends_at")
    if draft.starts_at < clock.now() - timedelta(hours=1):
        raise InvalidInput("the event starts in the past", field="starts_at")
    if not 1 <= draft.capacity <= MAX_CAPACITY:
        raise InvalidInput(f"capacity must be between 1 and {MAX_CAPACITY}", field="capacity")
    postcode, point = place_of(
        draft.meeting_postcode, locate, what="meeting point postcode", field="meeting_postcode"
    )
    with uow:
        if uow.session.get(Constituency, draft.ons_code) is None:
            raise InvalidInput(f"no constituency {draft.ons_code!r}", field="ons_code")
        if draft.campaign_id is not None and uow.session.get(Campaign, draft.campaign_id) is None:
            raise NotFound("no such campaign")
        event = Event(
            campaign_id=draft.campaign_id,
            ons_code=draft.ons_code,
            title=title,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            meeting_postcode=postcode,
            lat=point.lat,
            lon=point.lon,
            capacity=draft.capacity,
            notes=draft.notes.strip(),
            created_by_id=created_by_id,
        )
        uow.session.add(event)
        uow.commit()
        assert event.id is not None
        return event.id


def sign_up(
    uow: UnitOfWork,
    clock: Clock,
    event_id: int,
    *,
    user_id: int | None = None,
    voter_id: int | None = None,
    outcome_id: int | None = None,
) -> Place:
    """A confirmed place if one is left, else a place on the waiting list.

    Signing the same person up twice returns their existing place.
    """
    if (user_id is None) == (voter_id is None):
        raise InvalidInput("sign up either a volunteer or a voter")
    with uow:
        session = uow.session
        if not hold(session, Event, event_id, "capacity"):
            raise NotFound("no such event")
        event = session.get(Event, event_id)
        assert event is not None
        if event.ends_at is not None and event.ends_at <= clock.now():
            raise InvalidInput("this event is over")
        existing = session.exec(
            select(EventSignup).where(
                EventSignup.event_id == event_id,
                col(EventSignup.status).in_(ACTIVE),
                EventSignup.user_id == user_id if user_id is not None else EventSignup.voter_id == voter_id,
            )
        ).first()
        if existing is not None:
            return Place.of(existing)
        name = _name_of(session, user_id, voter_id, event.campaign_id)
        status = CONFIRMED if _confirmed(session, event_id) < event.capacity else WAITLIST
        signup = EventSignup(
            event_id=event_id,
            user_id=user_id,
            voter_id=voter_id,
            outcome_id=outcome_id,
            name=name,
            status=status,
            created_at=clock.now(),
        )
        session.add(signup)
        uow.commit()
        return Place.of(signup)


def cancel(uow: UnitOfWork, signup_id: int, *, user_id: int | None = None) -> int | None:
    """Cancel a place (only the volunteer's own when `user_id` is given); returns who moved up."""
    with uow:
        session = uow.session
        signup = session.get(EventSignup, signup_id)
        if signup is None or (user_id is not None and signup.user_id != user_id):
            raise NotFound("no such sign-up")
        event_id = signup.event_id
        uow.rollback()  # the lock must be the transaction's first statement
        hold(session, Event, event_id, "capacity")
        session.refresh(signup)
        if signup.status == CANCELLED:
            return None
        signup.status = CANCELLED
        session.add(signup)
        session.flush()
        promoted = _promote(session, event_id)
        uow.commit()
        return promoted[0] if promoted else None


def change_capacity(
    uow: UnitOfWork, event_id: int, capacity: int, *, clock: Clock, actor: Actor
) -> list[int]:
    """Set a new capacity; people on the waiting list move up into any new places."""
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"capacity must be between 1 and {MAX_CAPACITY}", field="capacity")
    with uow:
        session = uow.session
        if not hold(session, Event, event_id, "capacity"):
            raise NotFound("no such event")
        event = session.get(Event, event_id)
        assert event is not None
        if capacity < _confirmed(session, event_id):
            raise InvalidInput(
                "more people are confirmed than that; cancel some places first", field="capacity"
            )
        before = event.capacity
        event.capacity = capacity
        session.add(event)
        session.flush()
        promoted = _promote(session, event_id)
        audit.record(
            session,
            clock,
            actor,
            Action.EVENT_CAPACITY_CHANGED,
            subject_type="event",
            subject_id=event_id,
            detail={"campaign": event.campaign_id, "from": before, "to": capacity, "moved_up": len(promoted)},
        )
        uow.commit()
        return promoted


def upcoming(
    uow: UnitOfWork,
    clock: Clock,
    *,
    near: Point | None = None,
    campaign_id: int | None = None,
    ons_codes: list[str] | None = None,
    within_km: float | None = None,
    limit: int = 50,
) -> list[EventSummary]:
    """Events that have not ended, nearest first when `near` is given, else soonest first."""
    with uow:
        session = uow.session
        query = select(Event, Constituency.name).join(Constituency).where(col(Event.ends_at) > clock.now())
        if campaign_id is not None:
            query = query.where(Event.campaign_id == campaign_id)
        if ons_codes is not None:
            query = query.where(col(Event.ons_code).in_(ons_codes))
        rows = session.exec(query.order_by(col(Event.starts_at)).limit(2000)).all()
        summaries = _summaries(session, [(event, seat) for event, seat in rows], near)
    if near is not None:
        if within_km is not None:
            summaries = [item for item in summaries if (item.distance_km or 0.0) <= within_km]
        summaries.sort(key=lambda item: (item.distance_km or 0.0, item.starts_at))
    return summaries[:limit]


def summary(uow: UnitOfWork, event_id: int, near: Point | None = None) -> EventSummary:
    with uow:
        row = uow.session.exec(
            select(Event, Constituency.name).join(Constituency).where(Event.id == event_id)
        ).first()
        if row is None:
            raise NotFound("no such event")
        return _summaries(uow.session, [row], near)[0]


def signups_of(uow: UnitOfWork, event_id: int) -> list[EventSignup]:
    """Everyone with a place or waiting, in the order they signed up."""
    with uow:
        rows = list(
            uow.session.exec(
                select(EventSignup)
                .where(EventSignup.event_id == event_id, col(EventSignup.status).in_(ACTIVE))
                .order_by(col(EventSignup.id))
            )
        )
        uow.session.expunge_all()  # read-only: hand back the rows as loaded
        return rows


def places_of_volunteer(uow: UnitOfWork, user_id: int) -> dict[int, Place]:
    """A volunteer's current places and waiting-list entries, by event id."""
    with uow:
        rows = uow.session.exec(
            select(EventSignup).where(EventSignup.user_id == user_id, col(EventSignup.status).in_(ACTIVE))
        )
        places = {signup.event_id: Place.of(signup) for signup in rows}
        return places


def calendar_for(uow: UnitOfWork, clock: Clock, event_id: int, *, base_url: str) -> bytes:
    """The event as an .ics file."""
    with uow:
        event = uow.session.get(Event, event_id)
        if event is None:
            raise NotFound("no such event")
        host = base_url.split("://", 1)[-1].split("/", 1)[0] or "marginal"
        assert event.starts_at is not None and event.ends_at is not None
        return calendar_file(
            CalendarEntry(
                uid=f"event-{event.id}@{host}",
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                location=f"Meeting point: {event.meeting_postcode}",
                description=event.notes,
                lat=event.lat,
                lon=event.lon,
                url=f"{base_url}/events/{event.id}",
                stamp=clock.now(),
            )
        )


# --- inside the lock ---------------------------------------------------------------------------


def _confirmed(session: Session, event_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(EventSignup)
        .where(EventSignup.event_id == event_id, EventSignup.status == CONFIRMED)
    ).one()


def _promote(session: Session, event_id: int) -> list[int]:
    """Move the longest-waiting people into free places (the event row must be held)."""
    event = session.get(Event, event_id)
    assert event is not None
    free = event.capacity - _confirmed(session, event_id)
    if free <= 0:
        return []
    waiting = session.exec(
        select(EventSignup)
        .where(EventSignup.event_id == event_id, EventSignup.status == WAITLIST)
        .order_by(col(EventSignup.id))
        .limit(free)
    ).all()
    for signup in waiting:
        signup.status = CONFIRMED
        session.add(signup)
    return [signup.id for signup in waiting if signup.id is not None]


def _name_of(session: Session, user_id: int | None, voter_id: int | None, campaign_id: int | None) -> str:
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise NotFound("no such volunteer")
        return user.first_name
    assert voter_id is not None
    voter = session.get(Voter, voter_id)
    if voter is None or voter.erased_at is not None:
        raise NotFound("no such voter")
    if campaign_id is not None and voter.campaign_id != campaign_id:
        raise InvalidInput("this event belongs to another campaign")
    initial = f" {voter.last_name[:1]}." if voter.last_name else ""
    return f"{voter.first_name}{initial}"


def _summaries(session: Session, rows: list[tuple[Event, str]], near: Point | None) -> list[EventSummary]:
    ids = [event.id for event, _ in rows if event.id is not None]
    counts: dict[tuple[int, str], int] = {}
    if ids:
        for event_id, status, count in session.exec(
            select(EventSignup.event_id, EventSignup.status, func.count())
            .where(col(EventSignup.event_id).in_(ids), col(EventSignup.status).in_(ACTIVE))
            .group_by(col(EventSignup.event_id), col(EventSignup.status))
        ):
            counts[(event_id, status)] = count
    result = []
    for event, seat_name in rows:
        assert event.id is not None and event.starts_at is not None and event.ends_at is not None
        result.append(
            EventSummary(
                id=event.id,
                title=event.title,
                ons_code=event.ons_code,
                seat_name=seat_name,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                meeting_postcode=event.meeting_postcode,
                notes=event.notes,
                capacity=event.capacity,
                confirmed=counts.get((event.id, CONFIRMED), 0),
                waiting=counts.get((event.id, WAITLIST), 0),
                distance_km=None if near is None else distance_km(near, Point(event.lat, event.lon)),
                campaign_id=event.campaign_id,
            )
        )
    return result
