"""A tester of the demo forgets their password, reads the e-mail on the demo's mailbox page (on a
phone) and chooses a new password from its link."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dialer.adapters.local_smtp import LocalSmtpServer
from dialer.config import SmtpSecurity
from tests.browser.conftest import LiveServer, save_artifact
from tests.people import add_account
from tests.ports import free_port
from tests.suite_state import services_on_the_clock


@pytest.fixture
def demo_server(tmp_path, settings, clean_db, redis, redis_url, clock, telephony) -> Iterator[LiveServer]:
    from web import create_app
    from workers import context

    mailbox = LocalSmtpServer(tmp_path / "mailbox").start()
    port = free_port()
    services = services_on_the_clock(
        settings.model_copy(
            update={
                "public_base_url": f"http://127.0.0.1:{port}",  # links in e-mails lead here
                "smtp_host": "127.0.0.1",
                "smtp_port": mailbox.port,
                "smtp_security": SmtpSecurity.NONE,
                "local_mailbox": mailbox.maildir,
            }
        ),
        clean_db,
        redis,
        redis_url,
        clock,
        telephony,
    )
    context.use(services)
    add_account(services, "sam@example.org", first_name="Sam")
    server = LiveServer(create_app(services=services), port=port).start()
    yield server
    server.stop()
    context.use(None)
    mailbox.stop()


def test_a_tester_reads_the_reset_email_in_the_demo_mailbox_and_uses_its_link(page, demo_server, clock):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(demo_server.url + "/reset-password")
    page.fill("#email", "sam@example.org")
    page.click("button[type=submit]")
    page.wait_for_selector("text=If an account uses that address")
    clock.advance(1)  # the worker sends it
    page.goto(demo_server.url + "/mailbox")
    page.click("text=Choose a new password for Marginal")
    page.wait_for_selector("h1:text('Choose a new password for Marginal')")
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    save_artifact(page, "demo-mailbox-message-phone")
    page.click("a[href*='/reset-password/']")
    page.fill("#password", "a brand new passphrase")
    page.fill("#confirm", "a brand new passphrase")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Your password has been changed and you are signed in.")
