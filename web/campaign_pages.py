"""The organiser's area: their phone banks, and creating and editing a campaign's settings.

Creating a campaign is for organisers (it makes them the campaign's organiser); its settings are
for that campaign's organisers (and admins). Forms are checked field by field with the domain's own
rules, and the service checks the whole again: an error it finds is shown beside its field.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markdown_it import MarkdownIt
from wtforms import SelectChoice

from dialer.errors import InvalidInput
from dialer.services.campaigns import campaigns
from dialer.services.organising import organiser_view
from web.access import organiser, organiser_of
from web.campaign_forms import CampaignForm
from web.identity import account_id, actor
from web.services import services

bp = Blueprint("campaign_pages", __name__, url_prefix="/organiser")

#: CommonMark with raw HTML off, as the calling page renders the script.
_markdown = MarkdownIt("commonmark", {"html": False})
MAX_SCRIPT = 20_000


@bp.get("")
@organiser
def home() -> ResponseReturnValue:
    wired = services()
    mine = organiser_view.campaigns_run_by(wired.uow(), account_id(), everyone=_is_admin())
    return render_template("organiser/home.html", campaigns=mine)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@organiser
def new_campaign() -> ResponseReturnValue:
    wired = services()
    form = _form()
    if request.method == "GET":
        form.caller_id.data = wired.settings.twilio_caller_id
        form.dialing_mode.data, form.max_attempts.data, form.ring_timeout_s.data = "power", 3, 25
        form.weekday_start.data, form.weekday_end.data = "08:00", "21:00"
        form.weekend_start.data, form.weekend_end.data = "09:00", "21:00"
    elif form.validate():
        try:
            campaign_id = campaigns.create_campaign(
                wired.uow(),
                form.spec(),
                now=wired.clock.now(),
                organiser_id=account_id(),
                telephony=wired.phone_bank.telephony,
            )
        except InvalidInput as error:
            form.place(error)
        else:
            flash(
                "Campaign created as a draft: open its phone bank from the dashboard when ready.", "success"
            )
            return redirect(url_for("dashboard_pages.dashboard_page", campaign_id=campaign_id), 303)
    return render_template("organiser/campaign_form.html", form=form, campaign_id=None), _status(form)


@bp.route("/campaigns/<int:campaign_id>/settings", methods=["GET", "POST"])
@organiser_of("campaign_id")
def settings(campaign_id: int) -> ResponseReturnValue:
    wired = services()
    stored, _ = campaigns.campaign_spec(wired.uow(), campaign_id)
    form = _form()
    if request.method == "GET":
        form.fill(stored)
    elif form.validate():
        try:
            campaigns.update_campaign(
                wired.uow(),
                campaign_id,
                form.spec(slug=stored.slug),
                clock=wired.clock,
                actor=actor(),
                telephony=wired.phone_bank.telephony,
            )
        except InvalidInput as error:
            form.place(error)
        else:
            flash("Settings saved.", "success")
            return redirect(url_for("dashboard_pages.dashboard_page", campaign_id=campaign_id), 303)
    return render_template("organiser/campaign_form.html", form=form, campaign_id=campaign_id), _status(form)


@bp.post("/script-preview")
@organiser
def script_preview() -> ResponseReturnValue:
    """The script as volunteers will see it (raw HTML in it is shown as text, never run)."""
    body = request.get_json(silent=True)
    text = body.get("script") if isinstance(body, dict) else None
    if not isinstance(text, str) or len(text) > MAX_SCRIPT:
        return jsonify(error=f"send the script as text of at most {MAX_SCRIPT} characters"), 400
    return jsonify(html=_markdown.render(text))


def _form() -> CampaignForm:
    form = CampaignForm()
    form.seats.choices = [SelectChoice(code, name) for code, name in campaigns.seat_choices(services().uow())]
    return form


def _status(form: CampaignForm) -> int:
    return 422 if request.method == "POST" and form.errors else 200


def _is_admin() -> bool:
    from flask_login import current_user

    return bool(current_user.is_authenticated and current_user.is_admin)
