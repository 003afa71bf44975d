"""Organisers' shortcuts in a real browser: a pledge's web address made from its text as they type
(and theirs to change)."""

from sqlmodel import col, select

from dialer.models import Pledge
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser


def pledges(services):
    with services.uow() as uow:
        return [(p.slug, p.text) for p in uow.session.exec(select(Pledge).order_by(col(Pledge.id)))]


def test_a_pledges_web_address_follows_its_text_until_the_organiser_changes_it(page, live_server, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/signups")

    page.locator("#text").press_sequentially("Take polling day off!")
    assert page.input_value("#slug") == "take-polling-day-off"
    page.click("button:text('Add pledge')")
    page.wait_for_selector("text=Pledge added.")

    page.locator("#text").press_sequentially("Knock on 50 doors")
    assert page.input_value("#slug") == "knock-on-50-doors"
    page.fill("#slug", "fifty")
    page.fill("#text", "Knock on 50 doors in Brixton")
    assert page.input_value("#slug") == "fifty", "the organiser's own address stays"
    save_artifact(page, "pledge-web-address")
    page.click("button:text('Add pledge')")
    page.wait_for_selector("text=Pledge added.")

    assert pledges(services) == [
        ("take-polling-day-off", "Take polling day off!"),
        ("fifty", "Knock on 50 doors in Brixton"),
    ]
