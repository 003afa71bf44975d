"""Day-before reminders by e-mail, each written once: a reminder is recorded (a row keyed by what it
reminds of: a place at an event, a calling-shift booking) in the transaction that writes it to the
outbox, so a second worker's attempt fails on the key and writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from dialer.domain.reminders import reminder_due
from dialer.services.mail import mail as outbox
from dialer.services.mail.mail import Letter, Mail

#: (what the reminder is about, when the volunteer signed up for it, when it starts)
Due = tuple[int | None, datetime | None, datetime | None]


def post_reminders(
    mail: Mail,
    due: Iterable[Due],
    letter_of: Callable[[Session, int], Letter | None],
    record: Callable[[int, int | None, datetime], SQLModel],
) -> int:
    """Write the reminders now due to the outbox and queue them; returns how many were queued.
    `record(subject, mail id, now)` is the row that makes each reminder once."""
    now = mail.clock.now()
    queued = 0
    for subject_id, signed_up_at, starts_at in due:
        assert subject_id is not None and signed_up_at is not None and starts_at is not None
        if not reminder_due(starts_at=starts_at, signed_up_at=signed_up_at, now=now):
            continue
        with mail.uow() as uow:
            letter = letter_of(uow.session, subject_id)
            row = outbox.add(uow.session, mail.clock, letter) if letter is not None else None
            uow.session.add(record(subject_id, row.id if row is not None else None, now))
            try:
                uow.commit()
            except IntegrityError:  # another worker wrote this reminder first
                uow.rollback()
                continue
            mail_id = row.id if row is not None else None
        if mail_id is not None:
            outbox.queue(mail, mail_id)
            queued += 1
    return queued
