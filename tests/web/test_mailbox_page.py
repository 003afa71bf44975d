"""The demo's mailbox page: what the local SMTP server received, readable by the tester; it does not
exist unless the demo's server is on, and never in production."""

from __future__ import annotations

import smtplib

import pytest

from dialer.adapters.local_smtp import LocalSmtpServer
from dialer.adapters.smtp_mail import as_email
from dialer.config import Mode
from dialer.ports import MailMessage
from dialer.services.mail import mail_messages


@pytest.fixture
def demo_mail(tmp_path):
    server = LocalSmtpServer(tmp_path / "mailbox").start()
    yield server
    server.stop()


def _app(services, *, production: bool = False, **changes):
    """The app with these settings; in production mode for the app itself only (the services stay in
    test mode, whose Socket.IO has no Redis relay to leave running for later tests)."""
    from web import create_app

    services.settings = services.settings.model_copy(update=changes)
    settings = services.settings.model_copy(update={"mode": Mode.PRODUCTION}) if production else None
    return create_app(settings, services=services)


def _deliver(server: LocalSmtpServer, clock) -> None:
    letter = mail_messages.password_reset(
        to="sam@example.org",
        first_name="Sam",
        url="http://localhost/reset-password/abc.def",
        minutes=60,
        base_url="http://localhost",
        user_id=1,
    )
    message = MailMessage(
        "Marginal <marginal@localhost>", letter.to, letter.subject, letter.text, letter.html
    )
    with smtplib.SMTP("127.0.0.1", server.port) as smtp:
        smtp.send_message(as_email(message, clock))


def test_the_tester_reads_what_was_sent_and_follows_its_link(services, demo_mail, clock):
    client = _app(services, local_mailbox=demo_mail.maildir).test_client()
    assert 'the e-mails it sends are in the <a href="/mailbox">demo mailbox</a>' in client.get(
        "/sign-in"
    ).get_data(as_text=True)
    assert "No e-mail yet" in client.get("/mailbox").get_data(as_text=True)
    _deliver(demo_mail, clock)
    inbox = client.get("/mailbox").get_data(as_text=True)
    assert "sam@example.org" in inbox and "Choose a new password for Marginal" in inbox
    (key,) = [
        line.split("/mailbox/")[1].split('"')[0] for line in inbox.splitlines() if 'href="/mailbox/' in line
    ]
    page = client.get(f"/mailbox/{key}").get_data(as_text=True)
    assert '<a href="http://localhost/reset-password/abc.def">' in page and "Hello Sam," in page
    html = client.get(f"/mailbox/{key}/html")
    assert html.mimetype == "text/html" and "Choose a new password</a>" in html.get_data(as_text=True)
    assert client.get("/mailbox/no-such-message").status_code == 404


def test_there_is_no_mailbox_without_the_demos_mail_server(services):
    client = _app(services).test_client()
    assert client.get("/mailbox").status_code == 404
    assert "demo mailbox" not in client.get("/sign-in").get_data(as_text=True)


def test_there_is_no_mailbox_in_production_even_if_asked_for(services, demo_mail):
    client = _app(services, production=True, local_mailbox=demo_mail.maildir).test_client()
    assert client.get("/mailbox").status_code == 404
