"""The organiser's live dashboard: the page, its first paint (one JSON request), the recount
button, pausing/resuming/ending the phone bank (ending behind a confirmation naming how many
volunteers are calling; an ended one can be reopened), and ending one volunteer's session.

After the first paint the page listens on /live (`watch_campaign`) for deltas: nothing polls.
Every route is for the campaign's organisers and admins.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from dialer.errors import Conflict
from dialer.services.calling import dashboard, shifts, texts
from dialer.services.organising import campaign_control
from web import identity
from web.access import organiser_of
from web.errors import shortened
from web.services import services

bp = Blueprint("dashboard_pages", __name__, url_prefix="/organiser/campaigns/<int:campaign_id>")


@bp.get("/dashboard")
@organiser_of("campaign_id")
def dashboard_page(campaign_id: int) -> ResponseReturnValue:
    bank = services().phone_bank
    first = dashboard.snapshot(bank, campaign_id)
    return render_template(
        "organiser/dashboard.html",
        campaign=first["campaign"],
        seats=first["seats"],
        roll=shifts.current_roll(bank.uow(), campaign_id, now=bank.clock.now()),
        texts=texts.dashboard_figures(bank, campaign_id),
    )


@bp.get("/dashboard.json")
@organiser_of("campaign_id")
def snapshot(campaign_id: int) -> ResponseReturnValue:
    """The figures (with their version), the names they need, the seats' states and the voter pool."""
    return jsonify(dashboard.snapshot(services().phone_bank, campaign_id))


@bp.post("/dashboard/reconcile")
@organiser_of("campaign_id")
def reconcile(campaign_id: int) -> ResponseReturnValue:
    """Recount the figures from SQL (dashboards repaint); says how many were corrected."""
    result = dashboard.reconcile(services().phone_bank, campaign_id)
    return jsonify(version=result.version, corrected=len(result.corrected))


@bp.get("/end")
@organiser_of("campaign_id")
def confirm_end(campaign_id: int) -> ResponseReturnValue:
    """Ending a phone bank stops everyone calling: the organiser confirms, told how many that is."""
    bank = services().phone_bank
    campaign = dashboard.snapshot(bank, campaign_id)["campaign"]
    return render_template(
        "organiser/end_phone_bank.html",
        campaign=campaign,
        calling=campaign_control.calling_now(bank.uow(), campaign_id),
    )


@bp.post("/<any(open, pause, resume, end, reopen):change>")
@organiser_of("campaign_id")
def change_status(campaign_id: int, change: str) -> ResponseReturnValue:
    if change == "end" and request.form.get("confirmed") != "yes":
        return redirect(url_for(".confirm_end", campaign_id=campaign_id), 303)
    try:
        status = campaign_control.change_status(services().phone_bank, campaign_id, change, identity.actor())
    except Conflict as error:
        flash(shortened(error), "error")
    else:
        flash(f"The phone bank is now {status.value}.", "success")
    return redirect(url_for(".dashboard_page", campaign_id=campaign_id), 303)


@bp.post("/sessions/<int:session_id>/end")
@organiser_of("campaign_id")
def end_session(campaign_id: int, session_id: int) -> ResponseReturnValue:
    campaign_control.end_volunteer_session(services().phone_bank, campaign_id, session_id)
    return jsonify(ok=True)
