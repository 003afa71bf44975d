"""An organiser approves a volunteer to canvass from the event's page, on a laptop or a phone."""

from datetime import timedelta

import pytest

from dialer.services.signups import events
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_an_organiser_approves_a_volunteer_with_a_place_and_they_then_see_the_walk_list(
    page, live_server, services, width, height
):
    organiser = make.user(services, first_name="Olu")
    campaign_id = make.campaign(services, organiser_id=organiser)
    event_id = make.event(services, campaign_id, starts_in=timedelta(minutes=-30))
    make.voter(services, campaign_id, first_name="Ann", postcode="SW1A 1AB", address="1 Whitehall")
    volunteer = make.user(services, first_name="Vic")
    events.sign_up(services.uow(), services.clock, event_id, user_id=volunteer)
    page.set_viewport_size({"width": width, "height": height})
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/events/{event_id}")
    page.click('button:has-text("Approve to canvass")')
    page.wait_for_selector("text=Approved to canvass.")
    assert page.locator("button", has_text="Withdraw").is_visible()
    withdraw = page.locator("button", has_text="Withdraw").bounding_box()
    assert withdraw is not None and withdraw["x"] + withdraw["width"] <= width, "in view without scrolling"
    save_artifact(page, f"canvasser-approved-{width}")

    page.context.clear_cookies()
    sign_in_browser(page, live_server.url, email_of(services, volunteer))
    page.goto(f"{live_server.url}/doorstep/events/{event_id}")
    assert page.locator("li.door").count() == 1
