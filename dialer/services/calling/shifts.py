"""Calling shifts: an organiser publishes a time to call (and how many volunteers it wants),
volunteers book a place (or cancel it), and at the shift's start each booked volunteer is called in.

Calling in a booking happens once, whichever process gets there first: the shift's own job (queued
for its start when it is published), the heartbeat, or a worker's periodic check (which also covers a
Redis that lost the queued job). Each booking is claimed by one conditional UPDATE before anything is
done for it, so two workers, a repeated job or a restart never ring a volunteer twice.

How a booked volunteer is called in: already calling, nothing to do; with a verified phone, their
phone is rung for a new seat exactly as "call my phone" rings it (they press 1 to take it); without
one, only their open pages are told. Every booked volunteer's pages are told the shift has started
(`volunteer_room`). The booking's confirmation and day-before reminder e-mails are
dialer/services/mail/shift_mail.py's, which reads `upcoming_bookings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select, update

from dialer.domain import seats as seat_states
from dialer.domain.campaigns import CampaignStatus
from dialer.domain.seats import AudioLeg
from dialer.errors import Conflict, InvalidInput, NotFound
from dialer.models import CallingSession, CallingShift, Campaign, ShiftBooking, User
from dialer.ports import UnitOfWork
from dialer.services.calling import sessions
from dialer.services.phone_bank import PhoneBank

#: The job that calls in a shift's bookings at its start (workers/jobs.py).
CALL_IN_SHIFT = "workers.jobs.call_in_shift"
#: Published to each booked volunteer's room when their shift starts.
SHIFT_STARTED_EVENT = "shift_started"
LONGEST_SHIFT = timedelta(hours=12)
MOST_WANTED = 500
#: A booking not called in within this long of its shift's start is no longer rung (a worker was
#: down all that time): ringing someone an hour late is worse than not ringing them.
CALL_IN_WITHIN = timedelta(minutes=15)


class CalledInBy:
    """How a booking was called in (ShiftBooking.called_in_by)."""

    CLAIMED = "claimed"  # being called in right now (or the process doing it died)
    CALLING = "calling"  # already in a seat
    RUNG = "rung"  # their phone was rung for a seat
    PAGE = "page"  # no verified phone: only their pages were told
    FAILED = "failed"  # their phone could not be rung (the phone bank closed, the provider refused)
    LATE = "late"  # no worker reached the booking in time


def volunteer_room(user_id: int) -> str:
    """The Socket.IO room of one volunteer's own pages (only they may join it)."""
    return f"volunteer:{user_id}"


def shift_job_id(shift_id: int) -> str:
    return f"calling-shift-{shift_id}"


@dataclass(frozen=True)
class ShiftForm:
    starts_at: datetime
    ends_at: datetime
    wanted: int


def publish_shift(bank: PhoneBank, campaign_id: int, organiser_id: int | None, form: ShiftForm) -> int:
    """Publish a shift for volunteers to book; its volunteers are called in at its start."""
    now = bank.clock.now()
    if form.starts_at.tzinfo is None or form.ends_at.tzinfo is None:
        raise InvalidInput("a shift's times need a time zone", field="starts_at")
    if form.starts_at <= now:
        raise InvalidInput("a shift must start in the future", field="starts_at")
    if not form.starts_at < form.ends_at <= form.starts_at + LONGEST_SHIFT:
        raise InvalidInput("a shift must end after it starts, and last at most 12 hours", field="ends_at")
    if not 1 <= form.wanted <= MOST_WANTED:
        raise InvalidInput(f"ask for between 1 and {MOST_WANTED} volunteers", field="wanted")
    with bank.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        if campaign.status is CampaignStatus.ENDED:
            raise Conflict(f"{campaign.name} has ended: reopen it before publishing shifts")
        shift = CallingShift(
            campaign_id=campaign_id,
            starts_at=form.starts_at,
            ends_at=form.ends_at,
            wanted=form.wanted,
            created_by_id=organiser_id,
            created_at=now,
        )
        uow.session.add(shift)
        uow.commit()
        assert shift.id is not None
        shift_id = shift.id
    bank.jobs.enqueue(CALL_IN_SHIFT, shift_id, at=form.starts_at, job_id=shift_job_id(shift_id))
    return shift_id


@dataclass(frozen=True)
class ShiftPlaces:
    """A shift as a volunteer sees it: when, where, places left and whether they have one."""

    shift_id: int
    campaign_id: int
    campaign_name: str
    starts_at: datetime
    ends_at: datetime
    wanted: int
    booked: int
    mine: bool

    @property
    def places_left(self) -> int:
        return max(0, self.wanted - self.booked)


def open_shifts(
    uow: UnitOfWork, user_id: int | None, *, now: datetime, campaign_id: int | None = None
) -> list[ShiftPlaces]:
    """Shifts not yet over, soonest first (only `campaign_id`'s, if given): for a volunteer, those of
    the phone banks they may join (open or paused), their own marked; for an organiser (no
    `user_id`), whatever the campaign's state."""
    with uow:
        session = uow.session
        query = (
            select(CallingShift, Campaign)
            .join(Campaign, col(Campaign.id) == CallingShift.campaign_id)
            .where(col(CallingShift.ends_at) > now)
            .order_by(col(CallingShift.starts_at), col(CallingShift.id))
        )
        if user_id is not None:
            query = query.where(col(Campaign.status).in_([CampaignStatus.ACTIVE, CampaignStatus.PAUSED]))
        if campaign_id is not None:
            query = query.where(CallingShift.campaign_id == campaign_id)
        rows = session.exec(query).all()
        ids = [shift.id for shift, _ in rows]
        counts = _booked_counts(session, [i for i in ids if i is not None])
        mine = (
            set(
                session.exec(
                    select(ShiftBooking.shift_id).where(
                        ShiftBooking.user_id == user_id,
                        col(ShiftBooking.cancelled_at).is_(None),
                        col(ShiftBooking.shift_id).in_(ids),
                    )
                ).all()
            )
            if user_id is not None
            else set()
        )
        return [
            ShiftPlaces(
                shift_id=shift.id or 0,
                campaign_id=campaign.id or 0,
                campaign_name=campaign.name,
                starts_at=_known(shift.starts_at),
                ends_at=_known(shift.ends_at),
                wanted=shift.wanted,
                booked=counts.get(shift.id or 0, 0),
                mine=shift.id in mine,
            )
            for shift, campaign in rows
        ]


def book(uow: UnitOfWork, shift_id: int, user_id: int, *, now: datetime) -> None:
    """Take a place on a shift (again, after cancelling); Conflict when it is over or full."""
    with uow:
        session = uow.session
        shift = session.get(CallingShift, shift_id, with_for_update=True)
        if shift is None:
            raise NotFound("no such shift")
        if _known(shift.ends_at) <= now:
            raise Conflict("this shift is over")
        existing = session.exec(
            select(ShiftBooking).where(ShiftBooking.shift_id == shift_id, ShiftBooking.user_id == user_id)
        ).first()
        if existing is not None and existing.cancelled_at is None:
            return
        if _booked_counts(session, [shift_id]).get(shift_id, 0) >= shift.wanted:
            raise Conflict("this shift is full")
        if existing is None:
            existing = ShiftBooking(shift_id=shift_id, user_id=user_id)
        existing.booked_at = now
        existing.cancelled_at = None
        if existing.called_in_at is not None and _known(shift.starts_at) > now:
            existing.called_in_at, existing.called_in_by = None, ""
        session.add(existing)
        uow.commit()


def cancel_booking(uow: UnitOfWork, shift_id: int, user_id: int, *, now: datetime) -> None:
    """Give up a place (before or during the shift); not being rung is what cancelling is for."""
    with uow:
        if uow.session.get(CallingShift, shift_id) is None:
            raise NotFound("no such shift")
        booking = uow.session.exec(
            select(ShiftBooking).where(ShiftBooking.shift_id == shift_id, ShiftBooking.user_id == user_id)
        ).first()
        if booking is None or booking.cancelled_at is not None:
            raise Conflict("you have no place on this shift")
        booking.cancelled_at = now
        uow.session.add(booking)
        uow.commit()


def upcoming_bookings(uow: UnitOfWork, *, now: datetime, within: timedelta) -> list[tuple[int, int]]:
    """(shift id, volunteer id) of the bookings whose shifts start within `within`: what a reminder reads."""
    with uow:
        return [
            (shift_id, user_id)
            for shift_id, user_id in uow.session.exec(
                select(ShiftBooking.shift_id, ShiftBooking.user_id)
                .join(CallingShift, col(CallingShift.id) == ShiftBooking.shift_id)
                .where(
                    col(ShiftBooking.cancelled_at).is_(None),
                    col(CallingShift.starts_at) > now,
                    col(CallingShift.starts_at) <= now + within,
                )
            ).all()
        ]


# --- calling in ----------------------------------------------------------------------------------


def call_in_due(bank: PhoneBank, shift_id: int | None = None) -> int:
    """Call in every booking whose shift has started and is not yet called in (only `shift_id`'s,
    if given); returns how many this call claimed. Safe to run anywhere, any number of times."""
    now = bank.clock.now()
    with bank.uow() as uow:
        query = (
            select(ShiftBooking.id)
            .join(CallingShift, col(CallingShift.id) == ShiftBooking.shift_id)
            .where(
                col(ShiftBooking.cancelled_at).is_(None),
                col(ShiftBooking.called_in_at).is_(None),
                col(CallingShift.starts_at) <= now,
                col(CallingShift.ends_at) > now,
            )
            .order_by(col(ShiftBooking.id))
        )
        if shift_id is not None:
            query = query.where(ShiftBooking.shift_id == shift_id)
        due = [booking_id for booking_id in uow.session.exec(query).all() if booking_id is not None]
    return sum(1 for booking_id in due if _call_in(bank, booking_id, now))


def _call_in(bank: PhoneBank, booking_id: int, now: datetime) -> bool:
    with bank.uow() as uow:
        session = uow.session
        claimed = session.execute(
            update(ShiftBooking)
            .where(
                col(ShiftBooking.id) == booking_id,
                col(ShiftBooking.called_in_at).is_(None),
                col(ShiftBooking.cancelled_at).is_(None),
            )
            .values(called_in_at=now, called_in_by=CalledInBy.CLAIMED)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return False  # another process has it, or it was cancelled meanwhile
        uow.commit()
        booking = session.get(ShiftBooking, booking_id)
        assert booking is not None
        shift = session.get(CallingShift, booking.shift_id)
        user = session.get(User, booking.user_id)
        assert shift is not None and user is not None
        campaign_id, user_id, shift_id = shift.campaign_id, booking.user_id, booking.shift_id
        late = now - _known(shift.starts_at) > CALL_IN_WITHIN
        verified = user.phone_e164 is not None and user.phone_verified_at is not None
        seated = sessions.live_session_of(session, user_id) is not None
    session_id: int | None = None
    if late:
        how = CalledInBy.LATE
    elif seated:
        how = CalledInBy.CALLING
    elif verified:
        try:
            session_id = sessions.start_session(bank, user_id, campaign_id, AudioLeg.PHONE).session_id
            how = CalledInBy.RUNG
        except (Conflict, InvalidInput, NotFound):
            how = CalledInBy.FAILED
    else:
        how = CalledInBy.PAGE
    with bank.uow() as uow:
        booking = uow.session.get(ShiftBooking, booking_id)
        assert booking is not None
        booking.called_in_by, booking.session_id = how, session_id
        uow.session.add(booking)
        uow.commit()
    if how != CalledInBy.LATE:
        bank.live.publish(
            volunteer_room(user_id),
            SHIFT_STARTED_EVENT,
            {"shift": shift_id, "campaign": campaign_id, "rung": how == CalledInBy.RUNG},
        )
    return True


def reschedule_upcoming(bank: PhoneBank) -> int:
    """Queue again the start jobs of shifts yet to start (after Redis lost its jobs); returns how many."""
    now = bank.clock.now()
    with bank.uow() as uow:
        upcoming = uow.session.exec(
            select(CallingShift.id, CallingShift.starts_at).where(col(CallingShift.starts_at) > now)
        ).all()
    for shift_id, starts_at in upcoming:
        assert shift_id is not None and starts_at is not None
        bank.jobs.enqueue(CALL_IN_SHIFT, shift_id, at=_known(starts_at), job_id=shift_job_id(shift_id))
    return len(upcoming)


# --- the organiser's view --------------------------------------------------------------------------


@dataclass(frozen=True)
class RollEntry:
    """One booked volunteer on the shift's roll (first name only)."""

    user_id: int
    first_name: str
    #: present (in a seat with their audio joined), joining (being rung, or their audio joining),
    #: missing (not calling), or booked (the shift has not started).
    status: str
    called_in_by: str


@dataclass(frozen=True)
class ShiftRoll:
    shift_id: int
    starts_at: datetime
    ends_at: datetime
    wanted: int
    started: bool
    entries: list[RollEntry]

    def count(self, status: str) -> int:
        return sum(1 for entry in self.entries if entry.status == status)

    def as_dict(self) -> dict[str, object]:
        return {
            "shift": self.shift_id,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "wanted": self.wanted,
            "started": self.started,
            "booked": len(self.entries),
            "present": self.count("present"),
            "joining": self.count("joining"),
            "missing": self.count("missing"),
            "volunteers": [
                {"name": entry.first_name, "status": entry.status, "called_in_by": entry.called_in_by}
                for entry in self.entries
            ],
        }


def current_roll(uow: UnitOfWork, campaign_id: int, *, now: datetime) -> ShiftRoll | None:
    """The roll of the campaign's shift under way (else its next one): booked, present and missing."""
    with uow:
        session = uow.session
        shift = session.exec(
            select(CallingShift)
            .where(CallingShift.campaign_id == campaign_id, col(CallingShift.ends_at) > now)
            .order_by(col(CallingShift.starts_at), col(CallingShift.id))
        ).first()
        if shift is None:
            return None
        started = _known(shift.starts_at) <= now
        booked = session.exec(
            select(ShiftBooking, User)
            .join(User, col(User.id) == ShiftBooking.user_id)
            .where(ShiftBooking.shift_id == shift.id, col(ShiftBooking.cancelled_at).is_(None))
            .order_by(col(User.first_name), col(User.id))
        ).all()
        seats = {
            seat.user_id: seat.state
            for seat in session.exec(
                select(CallingSession).where(
                    CallingSession.campaign_id == campaign_id,
                    col(CallingSession.user_id).in_([user.id for _, user in booked]),
                    col(CallingSession.state).in_(seat_states.LIVE_SEAT_STATES),
                )
            ).all()
        }
        entries = []
        for booking, user in booked:
            state = seats.get(booking.user_id)
            if state is not None and state not in seat_states.AWAITING_AUDIO:
                status = "present"
            elif state is not None:
                status = "joining"
            else:
                status = "missing" if started else "booked"
            entries.append(RollEntry(booking.user_id, user.first_name, status, booking.called_in_by))
        return ShiftRoll(
            shift_id=shift.id or 0,
            starts_at=_known(shift.starts_at),
            ends_at=_known(shift.ends_at),
            wanted=shift.wanted,
            started=started,
            entries=entries,
        )


def _booked_counts(session: Session, shift_ids: list[int]) -> dict[int, int]:
    if not shift_ids:
        return {}
    rows = session.exec(
        select(ShiftBooking.shift_id, func.count())
        .where(col(ShiftBooking.shift_id).in_(shift_ids), col(ShiftBooking.cancelled_at).is_(None))
        .group_by(col(ShiftBooking.shift_id))
    ).all()
    return {shift_id: int(count) for shift_id, count in rows}


def _known(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment
