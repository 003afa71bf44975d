"""A call-back is booked in UK time whatever the volunteer's device says: a browser set to New York
books 18:00 and the voter is queued for 18:00 Europe/London."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from dialer.domain.dispositions import Disposition
from dialer.models import Outcome, Voter
from tests.browser.conftest import LiveServer, save_artifact
from tests.integration.test_power_dialing import answer, only_call, status
from tests.people import email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

UK = ZoneInfo("Europe/London")


def test_a_volunteer_whose_browser_is_in_new_york_books_a_call_back_for_1800_uk_time(
    browser, dialer_services, clock
):
    from web import create_app

    bank = dialer_services.phone_bank
    campaign = make_campaign(bank, voters=1)
    volunteer = make_volunteer(bank, "Priya")
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)  # the pacer dials the voter
    call = only_call(bank, session_id)
    answer(bank, call)
    tomorrow = (clock.now().astimezone(UK) + timedelta(days=1)).date()
    typed = f"{tomorrow:%Y-%m-%d}T18:00"

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="America/New_York"
    )
    page = context.new_page()
    server = LiveServer(create_app(services=dialer_services)).start()
    try:
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
        sign_in_browser(page, server.url, email_of(dialer_services, volunteer))
        page.goto(f"{server.url}/call/{campaign}")
        page.locator("#voter-name:text('Voter0')").wait_for()
        # The call ends (outcome keys only choose while it goes on): this app sends the page no live
        # updates, so the page is reloaded and reads the seat, in wrap-up, where a press saves.
        status(bank, call.id, call.provider_sid, "completed", 3, duration=42)
        page.reload()
        page.wait_for_function("() => document.body.dataset.seat === 'wrap_up'")
        book = page.locator(".disposition[data-disposition='call_back']")
        book.click()  # asks when
        assert "UK time" in page.inner_text("label[for=call-back-at]")
        assert "Europe/London" in page.inner_text("#call-back-hint")
        page.fill("#call-back-at", typed)
        save_artifact(page, "call-back-new-york")
        book.click()
        page.wait_for_function("() => document.getElementById('voter-details').hidden")
    finally:
        server.stop()
        context.close()

    with bank.uow() as uow:
        outcome = uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).one()
        voter = uow.session.get(Voter, call.voter_id)
    assert outcome.disposition is Disposition.CALL_BACK
    booked = outcome.call_back_at.astimezone(UK)
    assert (booked.date(), booked.hour, booked.minute) == (tomorrow, 18, 0)
    assert voter.next_call_at == outcome.call_back_at
