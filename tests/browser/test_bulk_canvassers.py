"""An organiser ticks the pledgers among an event's volunteers and approves them to canvass at once,
on a phone."""

from __future__ import annotations

from datetime import timedelta

from dialer.models import Pledge, PledgeSignup
from dialer.services.signups import events
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser


def test_an_organiser_ticks_the_pledgers_and_approves_them_in_one_go(page, live_server, services):
    organiser = make.user(services, first_name="Olu")
    campaign_id = make.campaign(services, organiser_id=organiser)
    event_id = make.event(services, campaign_id, starts_in=timedelta(hours=20))
    pledge = make.add(
        services, Pledge(campaign_id=campaign_id, slug="polling-day", text="Take polling day off")
    )
    for name in ("Ann", "Ben", "Cat"):
        volunteer = make.user(services, first_name=name)
        events.sign_up(services.uow(), services.clock, event_id, user_id=volunteer)
        if name != "Cat":
            make.add(
                services,
                PledgeSignup(
                    pledge_id=pledge.id, user_id=volunteer, name=name, created_at=services.clock.now()
                ),
            )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/events/{event_id}")

    pledgers = page.locator("table.event-people tr", has=page.locator("text=pledged"))
    assert pledgers.count() == 2
    for row in pledgers.all():
        row.locator('input[type="checkbox"]').check()
    page.get_by_role("button", name="Approve ticked volunteers to canvass").click()
    page.wait_for_selector("text=2 approved to canvass.")
    rows = page.locator("table.event-people tbody tr")
    approved = [
        row.locator("td").nth(1).inner_text().split()[0]
        for row in rows.all()
        if "approved" in row.inner_text()
    ]
    assert approved == ["Ann", "Ben"]
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    save_artifact(page, "canvassers-approved-in-bulk-390")
