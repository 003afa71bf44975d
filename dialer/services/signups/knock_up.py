"""Knocking up on polling day: each target seat's rota of slots, published by the campaign's
organisers and filled by the people who made its pledge.

A slot is a window of polling day in one of the campaign's target seats, with a number of places and
a meeting point. It is its own record rather than an event or a calling shift:

- a calling shift (dialer/services/calling/shifts.py) is per campaign, not per seat, and its start rings
  the booked volunteer into the phone bank; knocking up happens on doorsteps in one seat;
- an event (dialer/services/signups/events.py) is the nearest concept (a door-knocking session in a seat
  with a meeting point and a capacity), but its places belong to accounts or called voters, a full
  event puts people on a waiting list, and taking a place queues every taker on the event's row
  lock. The rota is filled in the polling-day rush by pledgers who often have no account (known by
  the e-mail address they pledged with), a full slot sends them to the next slot or the next seat
  rather than a waiting list, and what the organiser needs is places filled and missing per seat.

What is reused: the pledge decides who may book (someone who made one of the campaign's pledges,
signed in or with the address they pledged with, so nothing is typed again), the meeting point is
placed like an event's, and a booking made in a visit a share link brought is credited up the
cascade as a "knockup" conversion (dialer/services/signups/cascade.py). Once booked, the pledger's polling-day
message ("knock up in <seat>") carries their own link to the pledge, so the cascade goes on.

A booking takes a place with one conditional UPDATE (`taken = taken + 1 WHERE taken < places`), so
however many people press "book" at once a slot is never overbooked, on PostgreSQL as on SQLite; the
table's CHECK constraint refuses an overbooked row whatever writes it, and a unique (slot, e-mail)
pair makes a second press of the same person's button a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain.places import Locate, Point, distance_km, normalise_place, place_of
from dialer.errors import Conflict, InvalidInput, NotFound
from dialer.models import (
    Campaign,
    CampaignSeat,
    Constituency,
    KnockUpBooking,
    KnockUpSlot,
    Pledge,
    PledgeSignup,
    User,
)
from dialer.ports import UnitOfWork
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor
from dialer.services.signups import pledges

MAX_PLACES = 500
#: Polls are open 7am to 10pm: no slot is longer than that.
LONGEST_SLOT = timedelta(hours=15)
#: Target seats whose reference point is this close to a pledger are shown beside their own.
NEARBY_KM = 40.0

_SLOT = KnockUpSlot.__table__  # type: ignore[attr-defined]
_BOOKING = KnockUpBooking.__table__  # type: ignore[attr-defined]


class SlotFull(Conflict):
    """Every place in the slot is taken."""


class PledgeFirst(Conflict):
    """Only people who made the campaign's pledge book knock-up slots."""


@dataclass(frozen=True)
class SlotDraft:
    """What an organiser fills in to publish a slot."""

    ons_code: str
    starts_at: datetime
    ends_at: datetime
    places: int
    meeting_postcode: str
    meeting_point: str = ""


@dataclass(frozen=True)
class Slot:
    id: int
    ons_code: str
    starts_at: datetime
    ends_at: datetime
    places: int
    taken: int
    meeting_point: str
    meeting_postcode: str
    mine: bool = False  # the person looking has a place in it

    @property
    def missing(self) -> int:
        return self.places - self.taken


@dataclass(frozen=True)
class SeatRota:
    """One target seat's slots not yet over."""

    ons_code: str
    name: str
    slots: list[Slot] = field(default_factory=list)
    distance_km: float | None = None

    @property
    def places(self) -> int:
        return sum(slot.places for slot in self.slots)

    @property
    def filled(self) -> int:
        return sum(slot.taken for slot in self.slots)

    @property
    def missing(self) -> int:
        return self.places - self.filled


@dataclass(frozen=True)
class Rota:
    campaign_id: int
    campaign_name: str
    campaign_slug: str
    seats: list[SeatRota]
    pledged: bool = False  # the person looking made the campaign's pledge (and may book)
    pledge_id: int | None = None  # which pledge they made (their share link leads to it)

    @property
    def booked_seat(self) -> str:
        """The seat of the first slot the person looking has a place in ("" for none)."""
        return next((seat.name for seat in self.seats if any(slot.mine for slot in seat.slots)), "")


@dataclass(frozen=True)
class Booked:
    booking_id: int
    new: bool  # False: they had this place already
    campaign_slug: str


def publish_slot(
    uow: UnitOfWork, clock: Clock, locate: Locate, campaign_id: int, draft: SlotDraft, actor: Actor
) -> int:
    """Check the organiser's slot and save it; returns its id. The seat must be one of the campaign's."""
    if draft.starts_at.tzinfo is None or draft.ends_at.tzinfo is None:
        raise InvalidInput("start and end need a time zone", field="starts_at")
    if draft.ends_at <= draft.starts_at:
        raise InvalidInput("the slot must end after it starts", field="ends_at")
    if draft.ends_at - draft.starts_at > LONGEST_SLOT:
        raise InvalidInput("a slot lasts at most 15 hours (polls are open 7am to 10pm)", field="ends_at")
    if draft.starts_at < clock.now() - timedelta(hours=1):
        raise InvalidInput("the slot starts in the past", field="starts_at")
    if not 1 <= draft.places <= MAX_PLACES:
        raise InvalidInput(f"places must be between 1 and {MAX_PLACES}", field="places")
    meeting_point = draft.meeting_point.strip()
    if len(meeting_point) > 200:
        raise InvalidInput("describe the meeting point in at most 200 characters", field="meeting_point")
    postcode, point = place_of(
        draft.meeting_postcode, locate, what="meeting point postcode", field="meeting_postcode"
    )
    with uow:
        session = uow.session
        if session.get(Campaign, campaign_id) is None:
            raise NotFound("no such campaign")
        if session.get(CampaignSeat, (campaign_id, draft.ons_code)) is None:
            raise InvalidInput("choose one of the campaign's target seats", field="ons_code")
        slot = KnockUpSlot(
            campaign_id=campaign_id,
            ons_code=draft.ons_code,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            places=draft.places,
            meeting_point=meeting_point,
            meeting_postcode=postcode,
            lat=point.lat,
            lon=point.lon,
            created_by_id=actor.user_id,
            created_at=clock.now(),
        )
        session.add(slot)
        session.flush()
        assert slot.id is not None
        audit.record(
            session,
            clock,
            actor,
            Action.KNOCK_UP_SLOT_PUBLISHED,
            subject_type="knock_up_slot",
            subject_id=slot.id,
            detail={"campaign": campaign_id, "seat": draft.ons_code, "places": draft.places},
        )
        uow.commit()
        return slot.id


def change_places(
    uow: UnitOfWork, clock: Clock, campaign_id: int, slot_id: int, places: int, actor: Actor
) -> None:
    """Set a slot's places; never below the places already booked. Another campaign's slot is not found."""
    if not 1 <= places <= MAX_PLACES:
        raise InvalidInput(f"places must be between 1 and {MAX_PLACES}", field="places")
    with uow:
        session = uow.session
        slot = session.get(KnockUpSlot, slot_id)
        if slot is None or slot.campaign_id != campaign_id:
            raise NotFound("no such knock-up slot in this campaign")
        before = slot.places
        changed = session.exec(
            update(_SLOT)
            .where(_SLOT.c.id == slot_id, _SLOT.c.campaign_id == campaign_id, _SLOT.c.taken <= places)
            .values(places=places)
        ).rowcount
        if changed != 1:
            raise InvalidInput(
                "more people have booked than that; the slot keeps their places", field="places"
            )
        audit.record(
            session,
            clock,
            actor,
            Action.KNOCK_UP_PLACES_CHANGED,
            subject_type="knock_up_slot",
            subject_id=slot_id,
            detail={"campaign": campaign_id, "from": before, "to": places},
        )
        uow.commit()


def book(uow: UnitOfWork, clock: Clock, slot_id: int, *, email: str, user_id: int | None = None) -> Booked:
    """Take a place in the slot for someone who made the campaign's pledge (signed in as `user_id`, or
    known by the address they pledged with). Booking the same place again returns it.

    Raises SlotFull when every place is taken, PledgeFirst when they have not pledged.
    """
    email = email.strip().lower()
    if not email:
        raise InvalidInput("a place is booked with an e-mail address")
    now = clock.now()
    with uow:
        session = uow.session
        slot = session.get(KnockUpSlot, slot_id)
        if slot is None:
            raise NotFound("no such knock-up slot")
        campaign = session.get(Campaign, slot.campaign_id)
        assert campaign is not None
        if slot.ends_at is not None and slot.ends_at <= now:
            raise Conflict("this knock-up slot is over")
        name = _pledger_name(session, slot.campaign_id, email, user_id)
        if name is None:
            raise PledgeFirst("make the campaign's polling-day pledge first, then book a slot")
        held = session.exec(
            select(KnockUpBooking).where(KnockUpBooking.slot_id == slot_id, KnockUpBooking.email == email)
        ).first()
        if held is not None and held.cancelled_at is None:
            assert held.id is not None
            return Booked(held.id, False, campaign.slug)
        taken = session.exec(
            update(_SLOT)
            .where(_SLOT.c.id == slot_id, _SLOT.c.taken < _SLOT.c.places)
            .values(taken=_SLOT.c.taken + 1)
        ).rowcount
        if taken != 1:
            raise SlotFull("every place in this slot is taken: choose another slot")
        if held is None:
            held = KnockUpBooking(slot_id=slot_id, email=email, user_id=user_id, name=name, booked_at=now)
            session.add(held)
        else:  # booked, cancelled, booked again: the same row, taken back once
            back = session.exec(
                update(_BOOKING)
                .where(_BOOKING.c.id == held.id, _BOOKING.c.cancelled_at.is_not(None))
                .values(cancelled_at=None, booked_at=now, name=name, user_id=user_id or held.user_id)
            ).rowcount
            if back != 1:
                uow.rollback()
                return Booked(held.id or 0, False, campaign.slug)
        try:
            uow.commit()
        except IntegrityError:  # the same person pressed twice at once: the other press booked it
            uow.rollback()
            again = session.exec(
                select(KnockUpBooking.id).where(
                    KnockUpBooking.slot_id == slot_id, KnockUpBooking.email == email
                )
            ).one()
            return Booked(again or 0, False, campaign.slug)
        session.refresh(held)
        assert held.id is not None
        return Booked(held.id, True, campaign.slug)


def cancel(uow: UnitOfWork, clock: Clock, slot_id: int, *, email: str) -> str:
    """Give up this person's place in the slot (it is free for someone else); returns the campaign's
    slug. NotFound when they hold no place in it."""
    email = email.strip().lower()
    with uow:
        session = uow.session
        slot = session.get(KnockUpSlot, slot_id)
        if slot is None:
            raise NotFound("no such knock-up slot")
        campaign = session.get(Campaign, slot.campaign_id)
        assert campaign is not None
        given_up = session.exec(
            update(_BOOKING)
            .where(
                _BOOKING.c.slot_id == slot_id, _BOOKING.c.email == email, _BOOKING.c.cancelled_at.is_(None)
            )
            .values(cancelled_at=clock.now())
        ).rowcount
        if given_up != 1:
            raise NotFound("you have no place in this slot")
        session.exec(
            update(_SLOT).where(_SLOT.c.id == slot_id, _SLOT.c.taken > 0).values(taken=_SLOT.c.taken - 1)
        )
        uow.commit()
        return campaign.slug


def organiser_rota(uow: UnitOfWork, campaign_id: int, *, now: datetime) -> Rota:
    """Every target seat of the campaign (with no slots too) and its slots not yet over."""
    with uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        return _rota(uow.session, campaign, now=now, email="", user_id=None, near=None, every_seat=True)


def rota_for(
    uow: UnitOfWork,
    campaign_slug: str,
    *,
    now: datetime,
    email: str = "",
    user_id: int | None = None,
    locate: Locate | None = None,
    postcode: str = "",
) -> Rota:
    """The slots a pledger is offered: the target seats near them (at the postcode they typed, else
    their account's; all the seats when neither is known), nearest first, with their places marked."""
    with uow:
        campaign = uow.session.exec(select(Campaign).where(Campaign.slug == campaign_slug)).first()
        if campaign is None:
            raise NotFound("no such campaign")
        near = _where(uow.session, locate, postcode, user_id)
        return _rota(uow.session, campaign, now=now, email=email.strip().lower(), user_id=user_id, near=near)


def rota_of_pledge(
    uow: UnitOfWork,
    pledge_id: int,
    *,
    now: datetime,
    email: str = "",
    user_id: int | None = None,
    locate: Locate | None = None,
) -> Rota | None:
    """The rota of the pledge's campaign as `rota_for` gives it; None when it has no slots to offer."""
    with uow:
        pledge = uow.session.get(Pledge, pledge_id)
        campaign = uow.session.get(Campaign, pledge.campaign_id) if pledge else None
        if campaign is None:
            raise NotFound("no such pledge")
        if (
            uow.session.exec(select(KnockUpSlot.id).where(KnockUpSlot.campaign_id == campaign.id)).first()
            is None
        ):
            return None  # most pledges' campaigns have no rota: the pledge page asks nothing more
        near = _where(uow.session, locate, "", user_id)
        rota = _rota(uow.session, campaign, now=now, email=email.strip().lower(), user_id=user_id, near=near)
    return rota if any(seat.slots for seat in rota.seats) else None


def rotas_for_volunteer(uow: UnitOfWork, user_id: int, *, now: datetime) -> list[tuple[str, str]]:
    """(campaign name, slug) of each campaign whose pledge this volunteer made and whose rota has
    slots not yet over."""
    with uow:
        session = uow.session
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("no such volunteer")
        rows = session.exec(
            select(Campaign.name, Campaign.slug)
            .join(Pledge, col(Pledge.campaign_id) == col(Campaign.id))
            .join(PledgeSignup, col(PledgeSignup.pledge_id) == col(Pledge.id))
            .join(KnockUpSlot, col(KnockUpSlot.campaign_id) == col(Campaign.id))
            .where(_pledged_by(user.email, user_id), col(KnockUpSlot.ends_at) > now)
            .distinct()
            .order_by(col(Campaign.name))
        ).all()
        return [(name, slug) for name, slug in rows]


def forget_person(session: Session, user_id: int, email: str, now: datetime) -> int:
    """An erased account's bookings: places in slots not yet over are given up, and their name and
    address are removed from every booking; returns how many bookings there were. In the caller's
    transaction."""
    bookings = session.exec(
        select(KnockUpBooking).where(
            or_(col(KnockUpBooking.user_id) == user_id, col(KnockUpBooking.email) == email.lower())
        )
    ).all()
    for booking in bookings:
        slot = session.get(KnockUpSlot, booking.slot_id)
        if booking.cancelled_at is None and slot is not None and slot.ends_at and slot.ends_at > now:
            booking.cancelled_at = now
            session.exec(
                update(_SLOT)
                .where(_SLOT.c.id == booking.slot_id, _SLOT.c.taken > 0)
                .values(taken=_SLOT.c.taken - 1)
            )
        booking.name, booking.email = "", f"erased-{booking.id}@erased.invalid"
        session.add(booking)
    return len(bookings)


def _rota(
    session: Session,
    campaign: Campaign,
    *,
    now: datetime,
    email: str,
    user_id: int | None,
    near: Point | None,
    every_seat: bool = False,
) -> Rota:
    assert campaign.id is not None
    seats = session.exec(
        select(Constituency)
        .join(CampaignSeat, col(CampaignSeat.ons_code) == col(Constituency.ons_code))
        .where(CampaignSeat.campaign_id == campaign.id)
        .order_by(col(Constituency.name))
    ).all()
    slots = session.exec(
        select(KnockUpSlot)
        .where(KnockUpSlot.campaign_id == campaign.id, col(KnockUpSlot.ends_at) > now)
        .order_by(col(KnockUpSlot.starts_at), col(KnockUpSlot.id))
    ).all()
    mine: set[int] = set()
    if email:
        mine = set(
            session.exec(
                select(KnockUpBooking.slot_id).where(
                    col(KnockUpBooking.slot_id).in_([slot.id for slot in slots]),
                    KnockUpBooking.email == email,
                    col(KnockUpBooking.cancelled_at).is_(None),
                )
            ).all()
        )
    rotas = []
    for seat in seats:
        distance = distance_km(near, Point(seat.lat, seat.lon)) if near is not None else None
        offered = [_slot(slot, slot.id in mine) for slot in slots if slot.ons_code == seat.ons_code]
        rotas.append(SeatRota(seat.ons_code, seat.name, offered, distance))
    if near is not None:
        rotas.sort(key=lambda seat: seat.distance_km or 0.0)
        if not every_seat:  # their seat (the nearest) and the target seats near it
            rotas = rotas[:1] + [seat for seat in rotas[1:] if (seat.distance_km or 0.0) <= NEARBY_KM]
    if not every_seat:
        rotas = [seat for seat in rotas if seat.slots]
    pledge_id = _pledge_made(session, campaign.id, email, user_id) if email else None
    return Rota(campaign.id, campaign.name, campaign.slug, rotas, pledge_id is not None, pledge_id)


def _where(session: Session, locate: Locate | None, postcode: str, user_id: int | None) -> Point | None:
    if locate is None:
        return None
    if not postcode and user_id is not None:
        user = session.get(User, user_id)
        postcode = user.postcode if user is not None else ""
    place = normalise_place(postcode) if postcode else None
    return locate(place) if place else None


def _slot(slot: KnockUpSlot, mine: bool) -> Slot:
    assert slot.id is not None and slot.starts_at is not None and slot.ends_at is not None
    return Slot(
        slot.id,
        slot.ons_code,
        slot.starts_at,
        slot.ends_at,
        slot.places,
        slot.taken,
        slot.meeting_point,
        slot.meeting_postcode,
        mine,
    )


def _pledged_by(email: str, user_id: int | None) -> Any:
    by_email = pledges.made_with_email(email.strip().lower())
    return or_(col(PledgeSignup.user_id) == user_id, by_email) if user_id is not None else by_email


def _pledge_made(session: Session, campaign_id: int, email: str, user_id: int | None) -> int | None:
    """The campaign's pledge this person made (the first, if several), or None."""
    return session.exec(
        select(PledgeSignup.pledge_id)
        .join(Pledge, col(Pledge.id) == col(PledgeSignup.pledge_id))
        .where(Pledge.campaign_id == campaign_id, _pledged_by(email, user_id))
        .order_by(col(PledgeSignup.id))
    ).first()


def _pledger_name(session: Session, campaign_id: int, email: str, user_id: int | None) -> str | None:
    """The name this person pledged under in the campaign (their account's first name when signed
    in), or None when they made none of its pledges."""
    found = session.exec(
        select(PledgeSignup.name)
        .join(Pledge, col(Pledge.id) == col(PledgeSignup.pledge_id))
        .where(Pledge.campaign_id == campaign_id, _pledged_by(email, user_id))
    ).first()
    if found is None:
        return None
    if user_id is not None:
        user = session.get(User, user_id)
        if user is not None:
            return user.first_name
    return found
