"""Texting the link from the calling page: after signing the voter up, the volunteer ticks that the
voter agreed and texts them the link; the page never holds the voter's number."""

from __future__ import annotations

from dialer.services.calling import texts
from tests import signup_factories as make
from tests.browser.conftest import LiveServer, save_artifact
from tests.integration.test_power_dialing import answer, only_call
from tests.people import email_of, sign_in_browser
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer, ready_seat


def test_the_volunteer_texts_the_voter_the_link_to_the_event_they_just_joined(
    page, dialer_services, clock, telephony
):
    from web import create_app

    bank = dialer_services.phone_bank
    campaign = make_campaign(bank, voters=1)
    make.event(dialer_services, campaign)
    volunteer = make_volunteer(bank, "Priya")
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)  # the pacer dials the voter
    answer(bank, only_call(bank, session_id))  # ... who answers and joins the volunteer's seat

    server = LiveServer(create_app(services=dialer_services)).start()
    try:
        page.set_viewport_size({"width": 1366, "height": 768})
        sign_in_browser(page, server.url, email_of(dialer_services, volunteer))
        page.goto(f"{server.url}/call/{campaign}")
        slot, panel = page.locator("#signup-slot"), page.locator("#text-links")
        panel.locator("text=Sign them up first").wait_for()
        slot.locator("button[data-kind=event]").click()
        panel.locator("button[data-kind=event]").click()  # not yet ticked that they agreed
        panel.locator('[data-texts="error"]:text("tick that they agreed")').wait_for()
        assert telephony.texts == []

        page.check("#text-consent")
        panel.locator("button[data-kind=event]").click()
        panel.locator(".status-queued").wait_for()
        assert panel.locator('[data-texts="consent"]').is_hidden(), "agreed once: not asked again"
        panel.scroll_into_view_if_needed()
        save_artifact(page, "calling-text-link")
        page.set_viewport_size({"width": 390, "height": 844})
        panel.scroll_into_view_if_needed()
        save_artifact(page, "calling-text-link-phone")
        assert "7700" not in page.content(), "the voter's number never reaches the page"
    finally:
        server.stop()

    [(_, text)] = telephony.texts
    assert (text.to, text.from_) == (drama_number(0), "+442079460000")
    assert f"{texts.LINK_PATH}/" in text.body and "Reply STOP" in text.body
