"""The organiser's bird's-eye view: the whole UK with every marginal of the campaign's party, and
the campaign's volunteers against its targets seat by seat, as a map and as a sortable table."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from dialer.services.geography.birds_eye import birds_eye
from web import seat_map
from web.access import organiser_of
from web.services import services

bp = Blueprint("birds_eye_pages", __name__, url_prefix="/organiser/campaigns/<int:campaign_id>")


@bp.get("/birds-eye")
@organiser_of("campaign_id")
def page(campaign_id: int) -> ResponseReturnValue:
    wired = services()
    view = birds_eye(wired.uow, wired.clock, wired.seat_finder, campaign_id)
    return render_template("organiser/birds_eye.html", view=view, map=seat_map.country(view))
