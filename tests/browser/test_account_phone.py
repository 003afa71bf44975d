"""A volunteer's phone on the simulator, in headless Chromium (the shift of
tests/browser/test_calling_live.py): "call my phone" is refused until the number is added and
verified; the account page rings it, the simulated phone presses 1, and "call my phone" then rings
it into the volunteer's seat."""

from __future__ import annotations

import time

from sqlmodel import select

from dialer.models import CallingSession, User
from tests.browser.conftest import save_artifact
from tests.browser.test_calling_live import callee
from tests.browser.test_calling_live import running as running  # the shift's fixture
from tests.people import PASSWORD, email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer

PHONE = "+447700900321"


def test_a_volunteer_adds_and_verifies_their_phone_and_then_call_my_phone_rings_it(page, running):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=1, around_the_clock=True)
    volunteer = make_volunteer(bank, "Priya")
    sign_in_browser(page, running.url, email_of(running.services, volunteer))

    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-phone")
    page.wait_for_selector("#error:visible")
    assert "add your phone number on your account page" in (page.text_content("#error") or "").lower()

    page.click("text=Signed in as Priya")  # the account page
    page.fill("#phone", "07700 900321")
    page.fill("#password", PASSWORD)
    page.click("text=Save changes")
    assert "07700 900321 is not verified yet." in (page.text_content("#phone-status") or "")
    save_artifact(page, "account-phone-unverified")

    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-phone")
    page.wait_for_selector("#error:visible")
    assert "verify your phone number on your account page first" in (page.text_content("#error") or "")
    with bank.uow() as uow:
        assert uow.session.exec(select(CallingSession)).all() == [], "no seat, no call"

    callee(running, PHONE, kind="answer", ring_s=1, talk_s=3600, digits="1")  # picks up and presses 1
    page.goto(f"{running.url}/account")
    page.click("#verify-phone")
    assert "We are ringing your phone now" in (page.text_content(".flash") or "")
    deadline = time.monotonic() + 20
    while not _verified(bank, volunteer):
        assert time.monotonic() < deadline, "the phone was never verified"
        page.wait_for_timeout(200)
    page.reload()
    assert "07700 900321 is verified." in (page.text_content("#phone-status") or "")
    save_artifact(page, "account-phone-verified")

    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-phone")
    page.wait_for_function(
        "() => ['ready', 'dialing', 'connected'].includes(document.body.dataset.seat)", timeout=20_000
    )
    with bank.uow() as uow:
        seat = uow.session.exec(select(CallingSession)).one()
    assert seat.audio.value == "phone" and seat.leg_call_sid is not None


def _verified(bank, user_id: int) -> bool:
    with bank.uow() as uow:
        user = uow.session.get(User, user_id)
        return user is not None and user.phone_verified_at is not None
