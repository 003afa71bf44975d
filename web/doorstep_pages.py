"""The doorstep page: an event's walk list on a phone, with visits queued on the device.

The page works from what it was served: visits are stored on the phone first and sent to
/doorstep/events/<id>/visits with their keys until the server confirms (web/static/js/doorstep.js).
A walk list is names and home addresses: it is for the event campaign's organisers and the
canvassers they approved among those with a confirmed place, around its time
(`doorstep.is_canvassing`).

The page opens with no signal once it has been opened online: a service worker served from
/doorstep/ (so that its scope covers the walk lists) keeps it, told by the X-Walk-List-Left header
how long until the event ends and the copy must go (web/static/js/doorstep-sw.js).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, jsonify, make_response, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf

from dialer.domain.doorstep import DOORSTEP_OUTCOMES
from dialer.errors import InvalidInput, NotFound
from dialer.models import Event
from dialer.services.signups import doorstep, events, pledges
from dialer.services.signups.doorstep import Visit
from web import json_fields as fields
from web.access import Also, organiser_of, public, signed_in
from web.identity import Account, account_id
from web.services import services

bp = Blueprint("doorstep_pages", __name__, url_prefix="/doorstep")

SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "js" / "doorstep-sw.js"
#: The response header that tells the service worker how long it may keep its copy of a walk list
#: (seconds until the event ends, by the server's clock, so a phone's wrong clock does not matter).
WALK_LIST_LEFT = "X-Walk-List-Left"


def _canvassing(*, recording: bool) -> Also:
    def check(account: Account, event_id: int) -> bool:
        wired = services()
        return doorstep.is_canvassing(wired.uow(), wired.clock, account.id, event_id, recording=recording)

    return Also("a canvasser approved for the event", check)


#: Canvassers see the walk list from an hour before the event until it ends ...
CANVASSER = _canvassing(recording=False)
#: ... and their phones may still send visits queued offline for a day after it.
CANVASSER_RECORDING = _canvassing(recording=True)


@bp.get("/events/<int:event_id>")
@organiser_of("event_id", campaign_of=Event, also=CANVASSER)
def walk(event_id: int) -> ResponseReturnValue:
    wired = services()
    try:
        walk_list = doorstep.walk_list(wired.uow(), event_id)
    except (NotFound, InvalidInput):
        abort(404)
    later = [
        item
        for item in events.upcoming(wired.uow(), wired.clock, campaign_id=walk_list.campaign_id, limit=6)
        if item.id != event_id
    ]
    response = make_response(
        render_template(
            "signups/doorstep.html",
            walk=walk_list,
            outcomes=DOORSTEP_OUTCOMES,
            later_events=later,
            pledges=pledges.pledges_of(wired.uow(), walk_list.campaign_id, active_only=True),
        )
    )
    left = (walk_list.ends_at - wired.clock.now()).total_seconds()
    response.headers[WALK_LIST_LEFT] = str(max(0, int(left)))
    return response


@bp.get("/service-worker.js")
@public
def service_worker() -> ResponseReturnValue:
    """The doorstep pages' service worker; its scope is /doorstep/ because it is served from here."""
    response = send_file(SERVICE_WORKER, mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # a new version reaches phones at their next visit
    return response


@bp.get("/token")
@signed_in
def token() -> ResponseReturnValue:
    """A fresh CSRF token for a page that was open (and offline) longer than a token lives."""
    return jsonify(csrf_token=generate_csrf())


@bp.post("/events/<int:event_id>/visits")
@organiser_of("event_id", campaign_of=Event, also=CANVASSER_RECORDING)
def record(event_id: int) -> ResponseReturnValue:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="send the visit as JSON"), 400
    try:
        visit = _visit(event_id, body)
    except InvalidInput as error:
        return jsonify(error=str(error)), 400
    try:
        receipt = doorstep.record_visit(services().uow(), services().clock, visit, user_id=account_id())
    except InvalidInput as error:
        return jsonify(error=str(error)), 422
    return jsonify(
        key=visit.idempotency_key,
        outcome_id=receipt.outcome_id,
        created=receipt.created,
        problems=list(receipt.problems),
    ), 201 if receipt.created else 200


def _visit(event_id: int, body: dict[str, Any]) -> Visit:
    return Visit(
        idempotency_key=fields.text(body, "key", longest=64),
        event_id=event_id,
        voter_id=fields.record_id(body, "voter_id"),
        disposition=fields.text(body, "disposition", longest=40),
        answers=fields.mapping(body, "answers"),
        notes=fields.text(body, "notes", longest=2000),
        event_ids=fields.id_list(body, "event_ids"),
        pledge_ids=fields.id_list(body, "pledge_ids"),
    )
