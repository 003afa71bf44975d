"""A volunteer's evening on the calling page, in headless Chromium on the simulator (the shift of
tests/browser/test_calling_live.py): pausing during a call."""

from __future__ import annotations

from sqlmodel import select

from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, CallingSession, Voter
from tests.browser.conftest import save_artifact
from tests.browser.test_calling_live import callee
from tests.browser.test_calling_live import running as running  # the shift's fixture
from tests.people import email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer


def test_pause_after_this_call_pressed_while_dialling_takes_effect_when_the_call_ends(page, running):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=3, around_the_clock=True)
    with bank.uow() as uow:
        numbers = uow.session.exec(select(Voter.phone_e164)).all()
    for number in numbers:  # nobody answers: each call rings out (25 s, 5 s on this clock)
        callee(running, str(number), kind="no-answer")
    volunteer = make_volunteer(bank, "Priya")
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")
    page.wait_for_function("() => document.body.dataset.seat === 'dialing'", timeout=20_000)

    page.click("text=Pause after this call")
    page.wait_for_selector("#pause-pending", state="visible")
    save_artifact(page, "calling-pause-pending")
    assert page.evaluate("() => document.body.dataset.seat") == "dialing"  # the call rings on

    page.wait_for_function("() => document.body.dataset.seat === 'paused'", timeout=20_000)
    assert page.is_hidden("#pause-pending")
    assert page.is_visible("#resume")
    page.wait_for_timeout(3000)  # long enough for the pacer to have dialled again
    with bank.uow() as uow:
        assert len(uow.session.exec(select(CallAttempt)).all()) == 1, "nobody else is dialled"
        seat = uow.session.exec(select(CallingSession)).one()
        assert (seat.state, seat.pause_after_call) == (SeatState.PAUSED, False)
