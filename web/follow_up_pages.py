"""The organiser's list of conversations to follow up: those whose volunteer went away mid-call
and never came back, recorded as "outcome missing". For the campaign's organisers and admins."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from dialer.models import Campaign
from dialer.services.calling import seat_holding
from web.access import organiser_of
from web.services import services

bp = Blueprint("follow_up_pages", __name__, url_prefix="/organiser/campaigns/<int:campaign_id>")


@bp.get("/follow-ups")
@organiser_of("campaign_id")
def follow_ups(campaign_id: int) -> ResponseReturnValue:
    wired = services()
    rows = seat_holding.follow_ups(wired.uow(), campaign_id)
    with wired.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        assert campaign is not None
        name = campaign.name
    return render_template("organiser/follow_ups.html", campaign_id=campaign_id, name=name, rows=rows)
