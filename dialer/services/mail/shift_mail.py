"""E-mails about calling-shift bookings: the confirmation when a volunteer books, and the reminder the
day before (dialer/domain/reminders.py, as for event places), sent once per booking even with several
workers or a restart (ShiftReminder, keyed by the booking: dialer/services/mail/reminder_mail.py). A
booking cancelled before its reminder is due gets none.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from dialer.domain.reminders import REMIND_BEFORE
from dialer.models import CallingShift, Campaign, ShiftBooking, ShiftReminder, User
from dialer.services.calling import shifts
from dialer.services.mail import mail as outbox
from dialer.services.mail import mail_messages
from dialer.services.mail.mail import Mail
from dialer.services.mail.reminder_mail import post_reminders


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
    return post_reminders(
        mail,
        due,
        lambda session, booking_id: _reminder(session, mail, booking_id),
        lambda booking_id, mail_id, at: ShiftReminder(booking_id=booking_id, mail_id=mail_id, queued_at=at),
    )


def _reminder(session: Session, mail: Mail, booking_id: int) -> outbox.Letter | None:
    booking = session.get(ShiftBooking, booking_id)
    assert booking is not None
    return _letter(session, mail, booking, reminder=True)


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
