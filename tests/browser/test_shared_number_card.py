"""A shared number on the calling page in Chromium: the card asks for the right person and lists the
others at the number; the volunteer records what came of the one they asked for beside the call's
own outcome, on a laptop and on a phone-sized screen."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from dialer.models import Outcome, Voter
from dialer.services.calling.upkeep import open_phone_bank
from dialer.services.campaigns.campaigns import VoterSpec, add_voters
from tests.browser.conftest import LiveServer, save_artifact
from tests.integration.test_power_dialing import answer, only_call, status
from tests.people import email_of, sign_in_browser
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer, ready_seat

SCREENS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("screen", SCREENS)
def test_the_card_asks_for_the_right_person_and_records_an_outcome_for_the_other_asked_for(
    page, dialer_services, clock, screen
):
    from web import create_app

    bank = dialer_services.phone_bank
    campaign = make_campaign(bank, show_surname=True, open_now=False)
    household = [VoterSpec("Alice", drama_number(500), "Smith"), VoterSpec("Eve", drama_number(500), "Brown")]
    add_voters(bank.uow(), campaign, household, now=clock.now())
    open_phone_bank(bank, campaign)
    volunteer = make_volunteer(bank, "Priya")
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    answer(bank, call)
    with bank.uow() as uow:  # the queue may give either of them first
        listed = uow.session.exec(select(Voter).where(Voter.campaign_id == campaign)).all()
        called = next(f"{v.first_name} {v.last_name}" for v in listed if v.id == call.voter_id)
        other = next(f"{v.first_name} {v.last_name}" for v in listed if v.id != call.voter_id)

    page.set_viewport_size(SCREENS[screen])
    server = LiveServer(create_app(services=dialer_services)).start()
    try:
        sign_in_browser(page, server.url, email_of(dialer_services, volunteer))
        page.goto(f"{server.url}/call/{campaign}")
        page.locator("#voter-ask").wait_for()
        # The call ends (outcome keys only choose while it goes on): this app sends the page no live
        # updates, so the page is reloaded and reads the seat, in wrap-up, where a press saves.
        status(bank, call.id, call.provider_sid, "completed", 3, duration=42)
        page.reload()
        page.wait_for_function("() => document.body.dataset.seat === 'wrap_up'")
        ask = page.locator("#voter-ask")
        ask.wait_for()
        assert ask.inner_text() == f"Ask for {called}: 2 people on your list share this number."
        housemate = page.get_by_label(other)
        assert housemate.input_value() == "", "nobody else is recorded unless the volunteer says"
        housemate.select_option(label="Not in / no answer")
        housemate.scroll_into_view_if_needed()
        save_artifact(page, f"calling-shared-number-{screen}")
        page.locator('.disposition[data-disposition="talked"]').click()
        page.wait_for_function("() => document.getElementById('voter-details').hidden")
    finally:
        server.stop()

    with bank.uow() as uow:
        recorded = uow.session.exec(
            select(Voter.first_name + " " + Voter.last_name, Outcome.disposition, Outcome.call_attempt_id)
            .join(Voter, col(Voter.id) == Outcome.voter_id)
            .order_by(col(Outcome.id))
        ).all()
    assert [(name, d.value, attempt) for name, d, attempt in recorded] == [
        (called, "talked", call.id),
        (other, "no_answer", None),
    ]
