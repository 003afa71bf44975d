""" "Call where you're needed": one button that takes a volunteer to the phone bank that needs them
most now (dialer.services.calling.where_needed), where they start calling as on any phone bank's page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from dialer.services.calling import where_needed
from web.access import signed_in
from web.services import services

bp = Blueprint("where_needed_pages", __name__)


@bp.post("/call/needed")
@signed_in
def call_where_needed() -> ResponseReturnValue:
    wired = services()
    campaign_id = where_needed.neediest_phone_bank(wired.uow(), now=wired.clock.now())
    if campaign_id is None:
        flash(
            "No phone bank has voters to call right now: try again later, or book a calling shift.", "error"
        )
        return redirect(url_for("calling.phone_banks"), 303)
    return redirect(url_for("calling.calling_page", campaign_id=campaign_id), 303)
