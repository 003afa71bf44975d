"""E-mails about calling-shift bookings: the confirmation when a volunteer books, and the reminder
the day before (dialer/domain/reminders.py, as for event places), sent once per booking even with
several workers or a restart: each reminder is recorded (ShiftReminder, keyed by the booking) in
the transaction that writes it to the outbox, so a second worker's attempt fails on the key and
writes nothing. A booking cancelled before its reminder is due gets none.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialer.domain.reminders import REMIND_BEFORE, reminder_due
from dialer.models import CallingShift, Campaign, ShiftBooking, ShiftReminder, User
from dialer.services import mail as outbox
from dialer.services import mail_messages, shifts
from dialer.services.mail import Mail


def confirm_booking(mail: Mail, shift_id: int, user_id: int) -> int | None:
    """E-mail the volunteer who booked this shift; returns the outbox id (None if nothing to send)."""
    with mail.uow() as uow:
        booking = _booking(uow.session, shift_id, user_id)
        letter = _letter(uow.session, mail, booking, reminder=False) if booking is not None else None
    return outbox.post(mail, letter) if letter is not None else None


def send_reminders(mail: Mail) -> int:
    """Write the reminders now due to the outbox (each booking's once) and queue them; returns how many."""
    now = mail.clock.now()
    upcoming = shifts.upcoming_bookings(mail.uow(), now=now, within=REMIND_BEFORE)
    if not upcoming:
        return 0
    with mail.uow() as uow:
        due = uow.session.exec(
            select(ShiftBooking.id, ShiftBooking.booked_at, CallingShift.starts_at)
            .join(CallingShift, col(CallingShift.id) == ShiftBooking.shift_id)
            .outerjoin(ShiftReminder, col(ShiftReminder.booking_id) == ShiftBooking.id)
            .where(
                col(ShiftReminder.booking_id).is_(None),
                col(ShiftBooking.cancelled_at).is_(None),
                col(ShiftBooking.shift_id).in_(sorted({shift_id for shift_id, _ in upcoming})),
            )
        ).all()
    queued = 0
    for booking_id, booked_at, starts_at in due:
        assert booking_id is not None and booked_at is not None and starts_at is not None
        if not reminder_due(starts_at=starts_at, signed_up_at=booked_at, now=now):
            continue
        mail_id = _write_reminder(mail, booking_id)
        if mail_id is not None:
            outbox.queue(mail, mail_id)
            queued += 1
    return queued


def _write_reminder(mail: Mail, booking_id: int) -> int | None:
    with mail.uow() as uow:
        booking = uow.session.get(ShiftBooking, booking_id)
        assert booking is not None
        letter = _letter(uow.session, mail, booking, reminder=True)
        row = outbox.add(uow.session, mail.clock, letter) if letter is not None else None
        uow.session.add(
            ShiftReminder(booking_id=booking_id, mail_id=row.id if row else None, queued_at=mail.clock.now())
        )
        try:
            uow.commit()
        except IntegrityError:  # another worker wrote this booking's reminder first
            uow.rollback()
            return None
        return row.id if row is not None else None


def _booking(session: Session, shift_id: int, user_id: int) -> ShiftBooking | None:
    return session.exec(
        select(ShiftBooking).where(
            ShiftBooking.shift_id == shift_id,
            ShiftBooking.user_id == user_id,
            col(ShiftBooking.cancelled_at).is_(None),
        )
    ).first()


def _letter(session: Session, mail: Mail, booking: ShiftBooking, *, reminder: bool) -> outbox.Letter | None:
    user = session.get(User, booking.user_id)
    shift = session.get(CallingShift, booking.shift_id)
    campaign = session.get(Campaign, shift.campaign_id) if shift is not None else None
    if user is None or not user.is_active or user.id is None or shift is None or campaign is None:
        return None
    assert shift.starts_at is not None and shift.ends_at is not None
    details = mail_messages.ShiftDetails(
        campaign=campaign.name,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        url=f"{mail.base_url}/shifts",
        rung=user.phone_e164 is not None and user.phone_verified_at is not None,
    )
    compose = mail_messages.shift_reminder if reminder else mail_messages.shift_booked
    return compose(
        to=user.email, first_name=user.first_name, shift=details, base_url=mail.base_url, user_id=user.id
    )
