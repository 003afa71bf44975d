"""The outbox: e-mails are written to SQL in the request (or job) that causes them and sent by a
worker job (`workers.mail.send_mail`), never inside a request, retried when the SMTP server fails.

A job first claims its message for CLAIM_FOR (so two workers, or a re-queued job, never send one
message twice), sends it, and records it sent, dropping its subject and bodies (reset links must
not linger in the database). A temporary failure puts the message back with the job scheduled again
(RETRY_AFTER, counted by the message's tries); a permanent one, or the last try, records the
message failed. `send_forgotten`
(the workers' upkeep) queues again any message whose job was lost with Redis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.errors import MailError
from dialer.models import OutgoingMail
from dialer.ports import JobQueue, MailMessage, MailTransport, UnitOfWorkFactory

SEND_MAIL = "workers.mail.send_mail"
#: How long a worker holds a message it is sending.
CLAIM_FOR = timedelta(minutes=2)
#: Waits before each further try; a message is given up after the last.
RETRY_AFTER = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30))
#: A message unsent this long after it was written has lost its job: it is queued again.
FORGOTTEN_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Letter:
    """An e-mail to one person, composed (dialer/services/mail/mail_messages.py) and ready to post."""

    kind: str
    to: str
    subject: str
    text: str
    html: str
    user_id: int | None = None


@dataclass
class Mail:
    """The outbox's ports."""

    uow: UnitOfWorkFactory
    clock: Clock
    jobs: JobQueue
    transport: MailTransport
    #: The From of every message (MAIL_FROM).
    sender: str
    #: The product's public address, for links (PUBLIC_BASE_URL).
    base_url: str


def add(session: Session, clock: Clock, letter: Letter) -> OutgoingMail:
    """Put a letter in the outbox in the caller's transaction (queue it with `queue` after commit)."""
    mail = OutgoingMail(
        kind=letter.kind,
        to_address=letter.to,
        user_id=letter.user_id,
        subject=letter.subject,
        text=letter.text,
        html=letter.html,
        created_at=clock.now(),
    )
    session.add(mail)
    session.flush()
    return mail


def queue(mail: Mail, mail_id: int) -> None:
    mail.jobs.enqueue(SEND_MAIL, mail_id)


def post(mail: Mail, letter: Letter) -> int:
    """Write a letter to the outbox and queue its sending; returns its id."""
    with mail.uow() as uow:
        row = add(uow.session, mail.clock, letter)
        uow.commit()
        assert row.id is not None
        mail_id = row.id
    queue(mail, mail_id)
    return mail_id


def send_mail(mail: Mail, mail_id: int) -> bool:
    """Send one message from the outbox (the job); returns whether it was sent now."""
    now = mail.clock.now()
    with mail.uow() as uow:
        result = uow.session.execute(
            update(OutgoingMail)
            .where(
                col(OutgoingMail.id) == mail_id,
                col(OutgoingMail.sent_at).is_(None),
                col(OutgoingMail.failed_at).is_(None),
                col(OutgoingMail.claimed_until).is_(None) | (col(OutgoingMail.claimed_until) < now),
            )
            .values(claimed_until=now + CLAIM_FOR, tries=OutgoingMail.tries + 1)
        )
        claimed = int(result.rowcount or 0)  # type: ignore[attr-defined]
        uow.commit()
        if not claimed:
            return False
        row = uow.session.get(OutgoingMail, mail_id)
        assert row is not None
        message = MailMessage(mail.sender, row.to_address, row.subject, row.text, row.html)
        tries = row.tries
    try:
        mail.transport.send(message)
    except MailError as exc:
        _failed(mail, mail_id, exc, tries)
        return False
    _done(mail, mail_id, sent=True, error="")
    return True


def _failed(mail: Mail, mail_id: int, error: MailError, tries: int) -> None:
    if not error.retryable or tries > len(RETRY_AFTER):
        _done(mail, mail_id, sent=False, error=str(error))
        return
    with mail.uow() as uow:
        row = uow.session.get(OutgoingMail, mail_id)
        assert row is not None
        row.claimed_until = None
        row.last_error = str(error)[:300]
        uow.session.add(row)
        uow.commit()
    mail.jobs.enqueue(SEND_MAIL, mail_id, at=mail.clock.now() + RETRY_AFTER[tries - 1])


def _done(mail: Mail, mail_id: int, *, sent: bool, error: str) -> None:
    with mail.uow() as uow:
        row = uow.session.get(OutgoingMail, mail_id)
        assert row is not None
        if sent:
            row.sent_at = mail.clock.now()
        else:
            row.failed_at = mail.clock.now()
        row.last_error = error[:300]
        row.subject = row.text = row.html = ""
        row.claimed_until = None
        uow.session.add(row)
        uow.commit()


def send_forgotten(mail: Mail) -> int:
    """Queue again the messages still unsent long after they were written (their job was lost)."""
    now = mail.clock.now()
    with mail.uow() as uow:
        ids = uow.session.exec(
            select(OutgoingMail.id).where(
                col(OutgoingMail.sent_at).is_(None),
                col(OutgoingMail.failed_at).is_(None),
                col(OutgoingMail.created_at) < now - FORGOTTEN_AFTER,
                col(OutgoingMail.claimed_until).is_(None) | (col(OutgoingMail.claimed_until) < now),
                # a message waiting for its retry (its last error recorded) has its job scheduled,
                # unless that job too was lost: long after the last retry would have run
                (col(OutgoingMail.last_error) == "")
                | (col(OutgoingMail.created_at) < now - FORGOTTEN_AFTER - sum(RETRY_AFTER, timedelta())),
            )
        ).all()
    for mail_id in ids:
        if mail_id is not None:
            queue(mail, mail_id)
    return len(ids)
