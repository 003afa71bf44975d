"""The demo's and the tests' own SMTP server (aiosmtpd), on a loopback port, keeping every message
it receives in a Maildir; and reading that Maildir back (the demo's mailbox page, the tests).

It accepts mail for any address and delivers it nowhere else: nothing leaves the machine.
"""

from __future__ import annotations

import email.policy
import mailbox
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


class LocalSmtpServer:
    """An SMTP server in a thread of this process: `start()`, then send to 127.0.0.1:`port`."""

    def __init__(self, maildir: Path, *, port: int = 0) -> None:
        self.maildir = maildir
        maildir.parent.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port)

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def start(self) -> LocalSmtpServer:
        if self._controller.port == 0:
            self._controller.port = _free_port()
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the local server received it."""

    key: str
    sender: str
    to: str
    subject: str
    date: datetime | None
    text: str
    html: str


def received(maildir: Path) -> list[ReceivedMail]:
    """Every message in the Maildir, newest first (none when it does not exist yet)."""
    if not maildir.exists():
        return []
    box = mailbox.Maildir(maildir, factory=None, create=False)
    found = []
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        found.append(
            ReceivedMail(
                key=key,
                sender=str(parsed["From"] or ""),
                to=str(parsed["To"] or ""),
                subject=str(parsed["Subject"] or ""),
                date=_date(parsed["Date"]),
                text=_part(parsed, "plain"),
                html=_part(parsed, "html"),
            )
        )
    earliest = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda mail: (mail.date or earliest, mail.key), reverse=True)


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    return str(body.get_content()) if body is not None and body.get_content_subtype() == subtype else ""


def _date(value: object) -> datetime | None:
    try:
        return parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError):
        return None


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
