"""A browser seat's leg swapped before the provider's four-hour call limit (issue 18): the page,
seeing its call ended and its seat held for its browser audio, joins the seat again on a new call,
and the seat, paused for the swap, is ready again; in headless Chromium against the real app, RQ
worker and the Twilio simulator (the `running` world of test_calling_live.py)."""

# ruff: noqa: F811  (the `running` fixture is imported from test_calling_live.py and named as an argument)
from __future__ import annotations

from dialer.domain.seats import SeatState
from dialer.services.calling import leg_swap
from dialer.services.calling.leg_renewal import PROVIDER_LIMIT, RENEW_BEFORE
from tests.browser.conftest import save_artifact
from tests.browser.test_calling_live import running  # noqa: F401
from tests.browser.test_seat_survives import the_seat, until
from tests.people import email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer


def test_the_page_rejoins_its_seat_on_a_fresh_leg_when_the_product_swaps_it_and_the_seat_is_ready_again(
    page, running
):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, around_the_clock=True)
    volunteer = make_volunteer(bank, "Noor")
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")
    page.wait_for_selector('body[data-audio="connected"]')
    until(lambda: the_seat(running, volunteer).state is SeatState.READY, "the seat is ready")
    seat = the_seat(running, volunteer)
    old_leg = seat.leg_call_sid
    assert seat.id is not None and old_leg is not None

    joined = bank.clock.now() - (PROVIDER_LIMIT - RENEW_BEFORE)  # the swap is due now
    assert leg_swap.swap_leg(bank, seat.id, old_leg, joined.timestamp())

    def back_on_a_fresh_leg() -> bool:
        now = the_seat(running, volunteer)
        return now.leg_call_sid not in (None, old_leg) and now.away_since is None

    until(back_on_a_fresh_leg, "the page is back in its seat on a new leg", page=page)
    until(lambda: the_seat(running, volunteer).state is SeatState.READY, "ready again", page=page)
    page.wait_for_selector('body[data-audio="connected"]')
    assert running.simulator.rest_client().calls(old_leg).fetch().status == "completed"
    fresh = the_seat(running, volunteer).leg_call_sid
    assert running.simulator.rest_client().calls(fresh).fetch().status == "in-progress"
    save_artifact(page, "seat-back-after-leg-swap")
