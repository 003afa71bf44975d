"""E-mails about places at events: the confirmation when a volunteer signs up, and the reminder the
day before (dialer/domain/reminders.py), sent once per place even with several workers or a restart:
each reminder is recorded (EventReminder, keyed by the place) in the transaction that writes it to
the outbox, so a second worker's attempt fails on the key and writes nothing.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from dialer.domain.reminders import REMIND_BEFORE
from dialer.errors import NotFound
from dialer.models import Event, EventReminder, EventSignup, User
from dialer.services.mail import mail as outbox
from dialer.services.mail import mail_messages
from dialer.services.mail.mail import Mail
from dialer.services.mail.reminder_mail import post_reminders
from dialer.services.signups.events import CONFIRMED, WAITLIST


def confirm_place(mail: Mail, signup_id: int, *, moved_up: bool = False) -> int | None:
    """E-mail the volunteer who took this place (or waiting-list place, or moved up from the waiting
    list into a place that came free); returns the outbox id."""
    with mail.uow() as uow:
        signup = uow.session.get(EventSignup, signup_id)
        if signup is None:
            raise NotFound("no such sign-up")
        if signup.user_id is None or signup.status not in (CONFIRMED, WAITLIST):
            return None
        letter = _letter(uow.session, mail, signup, reminder=False, moved_up=moved_up)
        if letter is None:
            return None
    return outbox.post(mail, letter)


def moved_up(mail: Mail, signup_ids: list[int]) -> None:
    """Tell the volunteers who moved up from the waiting list that they have a place."""
    for signup_id in signup_ids:
        confirm_place(mail, signup_id, moved_up=True)


def send_reminders(mail: Mail) -> int:
    """Write the reminders now due to the outbox (each place's once) and queue them; returns how many."""
    now = mail.clock.now()
    with mail.uow() as uow:
        due = uow.session.exec(
            select(EventSignup.id, EventSignup.created_at, Event.starts_at)
            .join(Event, col(Event.id) == EventSignup.event_id)
            .outerjoin(EventReminder, col(EventReminder.signup_id) == EventSignup.id)
            .where(
                col(EventReminder.signup_id).is_(None),
                EventSignup.status == CONFIRMED,
                col(EventSignup.user_id).is_not(None),
                col(Event.starts_at) > now,
                col(Event.starts_at) <= now + REMIND_BEFORE,
            )
        ).all()
    return post_reminders(
        mail,
        due,
        lambda session, signup_id: _reminder(session, mail, signup_id),
        lambda signup_id, mail_id, at: EventReminder(signup_id=signup_id, mail_id=mail_id, queued_at=at),
    )


def _reminder(session: Session, mail: Mail, signup_id: int) -> outbox.Letter | None:
    signup = session.get(EventSignup, signup_id)
    assert signup is not None
    return _letter(session, mail, signup, reminder=True)


def _letter(
    session: Session, mail: Mail, signup: EventSignup, *, reminder: bool, moved_up: bool = False
) -> outbox.Letter | None:
    user = session.get(User, signup.user_id) if signup.user_id is not None else None
    event = session.get(Event, signup.event_id)
    if user is None or not user.is_active or event is None or user.id is None:
        return None
    assert event.starts_at is not None and event.ends_at is not None
    details = mail_messages.EventDetails(
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        meeting_postcode=event.meeting_postcode,
        url=f"{mail.base_url}/events/{event.id}",
    )
    if reminder:
        return mail_messages.event_reminder(
            to=user.email, first_name=user.first_name, event=details, base_url=mail.base_url, user_id=user.id
        )
    return mail_messages.event_place(
        to=user.email,
        first_name=user.first_name,
        event=details,
        waiting=signup.status == WAITLIST,
        base_url=mail.base_url,
        user_id=user.id,
        moved_up=moved_up,
    )
