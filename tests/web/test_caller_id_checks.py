"""A campaign's caller ID must be one the telephony account may call from (its own number or a
verified caller ID): an organiser saving or opening a campaign with any other is told why, and
nothing changes."""

from __future__ import annotations

import html

from sqlmodel import select

from dialer.domain.campaigns import CampaignStatus
from dialer.models import Campaign
from tests.people import csrf_token
from tests.web.route_examples import CAMPAIGN_FORM
from tests.web.test_dashboard_pages import errors_of, post_form

UNOWNED = "020 7946 0999"
WHY = "neither a number of the telephony account nor a verified caller ID"


def test_a_campaign_with_a_caller_id_the_account_cannot_use_is_not_saved(client_as, services):
    organiser = client_as("organiser")
    reply = post_form(organiser, "/organiser/campaigns/new", {**CAMPAIGN_FORM, "caller_id": UNOWNED})
    assert reply.status_code == 422
    assert WHY in html.unescape(errors_of(reply)["caller_id"])
    assert UNOWNED in html.unescape(errors_of(reply)["caller_id"])
    with services.uow() as uow:
        stored = select(Campaign).where(Campaign.name == CAMPAIGN_FORM["name"])
        assert uow.session.exec(stored).first() is None


def test_changing_the_caller_id_to_one_the_account_cannot_use_keeps_the_old_one(client_as, services):
    organiser = client_as("organiser")
    created = post_form(organiser, "/organiser/campaigns/new", CAMPAIGN_FORM)
    campaign_id = int(created.headers["Location"].split("/")[-2])
    settings_url = f"/organiser/campaigns/{campaign_id}/settings"
    reply = post_form(organiser, settings_url, {**CAMPAIGN_FORM, "caller_id": UNOWNED, "name": "Renamed"})
    assert reply.status_code == 422 and WHY in html.unescape(errors_of(reply)["caller_id"])
    with services.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        assert campaign is not None and campaign.caller_id == "+442079460000"
        assert campaign.name == CAMPAIGN_FORM["name"]


def test_a_campaign_whose_number_left_the_account_does_not_open_and_the_dashboard_says_why(
    client_as, services, telephony
):
    organiser = client_as("organiser")
    created = post_form(organiser, "/organiser/campaigns/new", CAMPAIGN_FORM)
    campaign_id = int(created.headers["Location"].split("/")[-2])
    telephony.caller_ids.discard("+442079460000")  # released from the account after the campaign was saved

    opened = organiser.post(
        f"/organiser/campaigns/{campaign_id}/open",
        data={"csrf_token": csrf_token(organiser)},
        follow_redirects=True,
    )
    page = html.unescape(opened.get_data(as_text=True))
    assert "cannot open" in page and WHY in page and "020 7946 0000" in page
    with services.uow() as uow:
        assert uow.session.get(Campaign, campaign_id).status is CampaignStatus.DRAFT
    assert telephony.placed == []
