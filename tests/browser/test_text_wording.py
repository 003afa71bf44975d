"""The organiser words the campaign's texts on a phone-sized page, reached from the dashboard."""

from __future__ import annotations

from dialer.domain.roles import Role
from dialer.domain.text_messages import Purpose, SignupKind
from dialer.models import CampaignOrganiser
from dialer.services.calling import texts
from tests.browser.conftest import LiveServer, save_artifact
from tests.people import add_account, sign_in_browser
from tests.phone_bank_builders import make_campaign


def test_an_organiser_words_the_event_text_from_the_dashboard(page, dialer_services):
    from web import create_app

    bank = dialer_services.phone_bank
    campaign = make_campaign(bank, voters=1)
    organiser = add_account(dialer_services, "olu@example.org", role=Role.ORGANISER, first_name="Olu")
    with dialer_services.uow() as uow:
        uow.session.add(CampaignOrganiser(campaign_id=campaign, user_id=organiser))
        uow.commit()
    server = LiveServer(create_app(services=dialer_services)).start()
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in_browser(page, server.url, "olu@example.org")
        page.goto(f"{server.url}/organiser/campaigns/{campaign}/dashboard")
        page.click("a:text-is('Texts')")
        page.fill("#link-event", "Bring boots to {title} on {when}.")
        save_artifact(page, "organiser-text-wording-phone")
        page.click("button:text('Save the wording')")
        page.locator("text=new texts use this wording").wait_for()
    finally:
        server.stop()
    wording = {(w.purpose, w.kind): w.own for w in texts.wordings(dialer_services.uow(), campaign)}
    assert wording[(Purpose.LINK, SignupKind.EVENT)] == "Bring boots to {title} on {when}."
