"""The sign-up slot in a real browser: it lists what a voter could join and signs them up."""

from datetime import timedelta

from dialer.models import PostcodeDistrict
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import carpools, pledges
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser


def test_an_organiser_signs_a_voter_up_from_the_slot_on_their_timeline(page, live_server, app, services):
    make.add(
        services,
        *[
            PostcodeDistrict(outcode=p.split()[0], lat=pt.lat, lon=pt.lon)
            for p, pt in make.PLACES.items()
            if p != "SW1A 2AA"
        ],
    )
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    voter_id = make.voter(services, campaign_id, first_name="Vic", postcode="SW1A 2AA")
    event_id = make.event(services, campaign_id)
    carpools.offer(
        services.uow(), services.clock, make.locate, event_id=event_id, driver_id=make.user(services),
        pickup_postcode="SE1 7PB", seats=2, departs_at=services.clock.now() + timedelta(days=2),
    )  # fmt: skip
    pledges.create_pledge(
        services.uow(),
        campaign_id,
        slug="day-off",
        text="Take polling day off",
        clock=services.clock,
        actor=SYSTEM,
    )

    page.goto(live_server.url + "/")
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/voters/{voter_id}")
    slot = page.locator("#signup-slot")
    slot.locator("button[data-kind=event]").click()
    slot.locator('[data-slot="events"] .status-confirmed').wait_for()
    slot.locator("button[data-kind=carpool]").click()
    slot.locator('[data-slot="carpools"] .status-requested').wait_for()
    slot.locator("button[data-kind=pledge]").click()
    slot.locator('[data-slot="pledges"] .status-pledged').wait_for()
    assert slot.locator('[data-slot="first-name"]').inner_text() == "Vic"
    save_artifact(page, "signup-slot")

    page.reload()
    timeline = page.inner_text("ol.timeline")
    assert (
        "Event: Door-knocking" in timeline
        and "Carpool to" in timeline
        and "Pledge: Take polling day off" in timeline
    )
