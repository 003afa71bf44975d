"""A volunteer shares their pledge link from a phone, and a friend who opens it is counted for them."""

from urllib.parse import unquote, urlsplit

from dialer.domain.campaigns import CampaignStatus
from dialer.models import Campaign
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import pledges
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser


def test_a_volunteer_copies_their_link_and_a_friend_who_pledges_through_it_is_counted_for_them(
    browser, page, live_server, services
):
    campaign_id = make.campaign(services)
    pledges.create_pledge(
        services.uow(),
        campaign_id,
        slug="day-off",
        text="Take polling day off",
        clock=services.clock,
        actor=SYSTEM,
    )
    with services.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.status = CampaignStatus.ACTIVE
        uow.session.add(campaign)
        uow.commit()
        pledge_path = f"/pledge/{campaign.slug}/day-off"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_browser(page, live_server.url, email_of(services, make.user(services, first_name="Priya")))
    page.goto(live_server.url + pledge_path)
    page.get_by_role("button", name="I pledge").click()
    share = page.locator("#share")
    share.wait_for()
    whatsapp = share.get_by_role("link", name="WhatsApp").get_attribute("href") or ""
    assert whatsapp.startswith("https://wa.me/?text=")
    assert "I pledged: Take polling day off Will you?" in unquote(whatsapp)
    share.get_by_role("button", name="Copy link").click()
    share.get_by_text("Copied.").wait_for()
    link = page.evaluate("navigator.clipboard.readText()")
    ours = services.settings.public_base_url  # links are written for the site's public address
    assert link.startswith(ours + "/s/") and link in unquote(whatsapp)
    save_artifact(page, "cascade-share-pledge-390x844")

    friend = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB").new_page()
    friend.goto(live_server.url + urlsplit(link).path)
    asked = friend.locator(".share-consent")
    assert asked.is_visible() and asked.bounding_box()["y"] < 844  # asked at once, not below the fold
    save_artifact(friend, "cascade-asked-to-remember-390x844")
    asked.get_by_role("button", name="Yes, count it for them").click()
    friend.get_by_text("what you do on this visit counts").wait_for()
    assert friend.locator(".share-consent").count() == 0
    friend.fill("#name", "Sam")
    friend.fill("#email", "sam@example.org")
    friend.get_by_role("button", name="I pledge").click()
    friend.get_by_text("Thank you for pledging!").wait_for()
    assert friend.locator("#share .share-link").input_value().startswith(ours + "/s/")
    friend.context.close()

    page.goto(live_server.url + "/share")
    totals = page.locator("#share-totals")
    assert totals.locator(".share-people").inner_text() == "1"
    assert totals.locator(".share-conversions").inner_text() == "1"
    assert totals.locator(".share-opens").inner_text() == "1"
    save_artifact(page, "cascade-my-links-390x844")
