"""RQ job: send one e-mail from the outbox (dialer/services/mail/mail.py), which retries it when it fails."""

from __future__ import annotations

from dialer.services.mail import mail
from workers.context import services


def send_mail(mail_id: int) -> bool:
    return mail.send_mail(services().mail, mail_id)
