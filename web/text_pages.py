"""Texts to voters: the calling page's JSON actions, the provider's webhooks and the page a text links to.

The volunteer in conversation with a voter (or who just was: the sign-up slot's policy) asks what
may be texted and sends one of the campaign's texts; the answers carry whether the voter's number
can take texts, never the number. The provider's delivery reports and the replies to a campaign's
number are signed like the voice webhooks (web/voice.py's `signed_by_twilio`). The link in a text
opens a public page with the sign-up's details and nothing about the voter.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from twilio.twiml.messaging_response import MessagingResponse

from dialer.domain.text_messages import SignupKind
from dialer.errors import Conflict, InvalidInput
from dialer.models import Campaign, Voter
from dialer.services.calling import texts
from web import json_fields as fields
from web.access import organiser_of, public, twilio_webhook
from web.errors import sentence
from web.identity import actor
from web.services import services
from web.signup_slot import IN_CONVERSATION
from web.voice import signed_by_twilio

bp = Blueprint("text_pages", __name__)


@bp.get("/texts/voters/<int:voter_id>")
@organiser_of("voter_id", campaign_of=Voter, also=IN_CONVERSATION)
def options(voter_id: int) -> ResponseReturnValue:
    found = texts.options_for(services().phone_bank, voter_id)
    return jsonify(
        voter=found.voter_id,
        can_text=found.can_text,
        why_not=found.why_not,
        consented=found.consented,
        choices=[
            {"kind": c.kind.value, "id": c.target_id, "title": c.title, "sent": c.sent} for c in found.choices
        ],
    )


@bp.post("/texts/voters/<int:voter_id>")
@organiser_of("voter_id", campaign_of=Voter, also=IN_CONVERSATION)
def send(voter_id: int) -> ResponseReturnValue:
    """Text the voter one sign-up's link: {kind: event|carpool|pledge, id, agreed: true}."""
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="send {kind: event|carpool|pledge, id, agreed}"), 400
    try:
        kind = SignupKind(fields.choice(body, "kind", [k.value for k in SignupKind]))
        target = fields.record_id(body, "id")
        agreed = fields.flag(body, "agreed")
        status = texts.send_link(
            services().phone_bank, current_user.id, voter_id, kind, target, agreed=agreed
        )
    except InvalidInput as error:
        return jsonify(error=str(error)), 400
    except Conflict as error:
        return jsonify(error=str(error)), 409
    return jsonify(kind=kind.value, id=target, status=status)


@bp.route("/organiser/campaigns/<int:campaign_id>/texts", methods=["GET", "POST"])
@organiser_of("campaign_id")
def wording(campaign_id: int) -> ResponseReturnValue:
    """The campaign's wording of each text its volunteers and reminders send."""
    uow = services().uow
    error, error_field, status_code = None, None, 200
    if request.method == "POST":
        given = {
            (w.purpose, w.kind): request.form.get(f"{w.purpose}-{w.kind}", "") for w in _wordings(campaign_id)
        }
        try:
            texts.set_wordings(uow(), services().clock, actor(), campaign_id, given)
        except InvalidInput as exc:
            error, error_field, status_code = sentence(exc), exc.field, 400
        else:
            flash("Saved: new texts use this wording.", "success")
            return redirect(url_for("text_pages.wording", campaign_id=campaign_id), 303)
    current = _wordings(campaign_id)
    with uow() as unit:
        campaign = unit.session.get(Campaign, campaign_id)
        if campaign is None:
            abort(404)
        name = campaign.name
    return render_template(
        "texts/wording.html",
        campaign_id=campaign_id,
        name=name,
        wordings=current,
        error=error,
        error_field=error_field,
    ), status_code


def _wordings(campaign_id: int) -> list[texts.Wording]:
    return texts.wordings(services().uow(), campaign_id)


@bp.post(texts.STATUS_PATH)
@twilio_webhook
@signed_by_twilio
def status() -> ResponseReturnValue:
    form = request.form
    text_id = request.args.get("text", type=int)
    if text_id is None:
        abort(400)
    texts.on_status(
        services().phone_bank,
        text_id,
        form.get("MessageSid", ""),
        form.get("MessageStatus", ""),
        form.get("ErrorCode", type=int),
    )
    return "", 204


@bp.post(texts.REPLY_PATH)
@twilio_webhook
@signed_by_twilio
def reply() -> ResponseReturnValue:
    """The SMS URL of every campaign number: STOP stops texts at once; nothing is sent back (Twilio
    answers STOP and START itself)."""
    texts.on_reply(services().phone_bank, request.form.get("From", ""), request.form.get("Body", ""))
    return Response(str(MessagingResponse()), mimetype="text/xml")


@bp.get(f"{texts.LINK_PATH}/<link_token>")
@public
def link(link_token: str) -> ResponseReturnValue:
    details = texts.link_target(services().phone_bank, link_token[:40])
    return render_template("texts/link.html", details=details)
