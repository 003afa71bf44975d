"""E-mail through an SMTP server (smtplib), configured by SMTP_HOST, SMTP_PORT, SMTP_SECURITY,
SMTP_USERNAME and SMTP_PASSWORD; or, outside production with no SMTP_HOST, written to the log.

A refusal the server calls temporary (a 4xx reply) or a connection that fails is retryable; a
permanent refusal (5xx: no such mailbox, a rejected sender) is not.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from dialer.clock import Clock
from dialer.config import Settings, SmtpSecurity
from dialer.errors import MailError
from dialer.ports import MailMessage, MailTransport

logger = logging.getLogger(__name__)

#: Seconds to wait for the SMTP server before calling the attempt failed (and retryable).
SMTP_TIMEOUT_S = 20.0


def make_transport(settings: Settings, clock: Clock) -> MailTransport:
    if settings.smtp_host:
        return SmtpMailTransport(settings, clock)
    return LoggedMail()


def as_email(message: MailMessage, clock: Clock) -> EmailMessage:
    """The message in MIME form: multipart/alternative, plain text first, then HTML."""
    email = EmailMessage()
    email["From"] = message.sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(clock.now())
    email["Message-ID"] = make_msgid(domain=message.sender.rstrip(">").rpartition("@")[2] or None)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


class SmtpMailTransport:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    def send(self, message: MailMessage) -> None:
        settings = self._settings
        host, port = settings.smtp_host, settings.effective_smtp_port
        try:
            if settings.smtp_security is SmtpSecurity.TLS:
                server: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=SMTP_TIMEOUT_S, context=ssl.create_default_context()
                )
            else:
                server = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S)
            with server:
                if settings.smtp_security is SmtpSecurity.STARTTLS:
                    server.starttls(context=ssl.create_default_context())
                if settings.smtp_username:
                    server.login(settings.smtp_username, settings.smtp_password)
                server.send_message(as_email(message, self._clock))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise MailError(
                f"the SMTP server refused the recipient ({codes})", retryable=_temporary(codes)
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(
                f"the SMTP server answered {exc.smtp_code}: {_said(exc.smtp_error)}",
                retryable=_temporary([exc.smtp_code]),
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"could not reach the SMTP server {host}:{port}: {exc}", retryable=True) from None


class LoggedMail:
    """Outside production with no SMTP server: each message goes to the log, links and all."""

    def send(self, message: MailMessage) -> None:
        logger.warning("e-mail (no SMTP_HOST set) to %s: %s\n%s", message.to, message.subject, message.text)


def _temporary(codes: list[int]) -> bool:
    return all(400 <= code < 500 for code in codes)


def _said(error: bytes | str) -> str:
    text = error.decode(errors="replace") if isinstance(error, bytes) else error
    return text[:200]
