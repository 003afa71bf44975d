"""The sign-up slot on the calling page: a volunteer signs up the voter they are talking to, and the
sign-ups are linked to the conversation's outcome when they record it."""

from __future__ import annotations

from sqlmodel import select

from dialer.models import EventSignup, Outcome, PledgeSignup
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import pledges
from tests import signup_factories as make
from tests.browser.conftest import LiveServer, save_artifact
from tests.integration.test_power_dialing import answer, only_call, status
from tests.people import email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat


def test_a_volunteer_signs_up_the_voter_on_the_line_and_the_outcome_claims_the_sign_ups(
    page, dialer_services, clock
):
    from web import create_app

    bank = dialer_services.phone_bank
    campaign = make_campaign(bank, voters=1)
    event_id = make.event(dialer_services, campaign)
    pledge_id = pledges.create_pledge(
        bank.uow(), campaign, slug="day-off", text="Take polling day off", clock=bank.clock, actor=SYSTEM
    )
    volunteer = make_volunteer(bank, "Priya")
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)  # the pacer dials the voter
    call = only_call(bank, session_id)
    answer(bank, call)  # ... who answers and joins the volunteer's seat

    server = LiveServer(create_app(services=dialer_services)).start()
    try:
        sign_in_browser(page, server.url, email_of(dialer_services, volunteer))
        page.goto(f"{server.url}/call/{campaign}")
        slot = page.locator("#signup-slot")
        slot.locator('[data-slot="first-name"]:text("Voter0")').wait_for()
        slot.locator("button[data-kind=event]").click()
        slot.locator('[data-slot="events"] .status-confirmed').wait_for()
        slot.locator("button[data-kind=pledge]").click()
        slot.locator('[data-slot="pledges"] .status-pledged').wait_for()
        save_artifact(page, "calling-signup-slot")

        page.keyboard.press("1")  # "Talked to voter": chosen during the call, nothing saved yet
        status(bank, call.id, call.provider_sid, "completed", 3, duration=42)  # the voter hangs up
        page.reload()  # this app sends the page no live updates: it reads the seat, in wrap-up
        slot.locator('[data-slot="events"] .status-confirmed').wait_for()  # the slot stays for the voter
        page.keyboard.press("1")  # after the call, the key saves (when the undo window closes)
        page.wait_for_function("() => document.getElementById('voter-details').hidden", timeout=15_000)
        assert slot.is_hidden(), "the slot goes with the voter"
    finally:
        server.stop()

    with bank.uow() as uow:
        outcome = uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).one()
        place = uow.session.exec(select(EventSignup).where(EventSignup.event_id == event_id)).one()
        pledged = uow.session.exec(select(PledgeSignup).where(PledgeSignup.pledge_id == pledge_id)).one()
    assert (outcome.user_id, outcome.disposition.value) == (volunteer, "talked")
    assert (place.voter_id, place.status, place.outcome_id) == (call.voter_id, "confirmed", outcome.id)
    assert (pledged.voter_id, pledged.channel, pledged.outcome_id) == (call.voter_id, "phone", outcome.id)
