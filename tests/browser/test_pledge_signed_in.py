"""A signed-in volunteer finds the pledge on their home page and makes it without retyping anything."""

from sqlmodel import select

from dialer.domain.campaigns import CampaignStatus
from dialer.models import Campaign, PledgeSignup
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import pledges
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser


def test_a_volunteer_finds_the_pledge_on_their_home_page_and_makes_it_with_one_press(
    page, live_server, services
):
    campaign_id = make.campaign(services)
    pledge_id = pledges.create_pledge(
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
    volunteer = make.user(services, first_name="Priya")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_browser(page, live_server.url, email_of(services, volunteer))

    page.goto(live_server.url + "/")
    offered = page.get_by_role("region", name="Pledges you can make")
    assert offered.get_by_text("Take polling day off").is_visible()
    save_artifact(page, "home-pledge-offered-390x844")
    offered.get_by_role("link", name="Read it first").click()
    assert page.get_by_text("You are pledging as Priya").is_visible()
    assert page.locator("input[name=email], input[name=name]").count() == 0
    page.get_by_role("button", name="I pledge").click()
    page.get_by_text("Thank you for pledging!").wait_for()
    assert page.get_by_text("You have made this pledge.").is_visible()
    save_artifact(page, "pledge-made-signed-in-390x844")

    with services.uow() as uow:
        [made] = uow.session.exec(select(PledgeSignup).where(PledgeSignup.pledge_id == pledge_id)).all()
    assert (made.user_id, made.name, made.channel) == (volunteer, "Priya", "web")

    page.goto(live_server.url + "/")
    assert (
        page.get_by_role("region", name="Pledges you can make").get_by_text("You have pledged").is_visible()
    )
