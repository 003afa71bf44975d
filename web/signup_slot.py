"""The sign-up slot's JSON endpoints, for the calling page (and any page beside a conversation).

Embed `signups/_slot.html` and `js/signup-slot.js`; the slot asks /signups/voters/<id>/options
and posts one sign-up at a time, with the conversation's outcome id once it is recorded. Both are
for the organisers of the voter's campaign and for the volunteer talking to the voter now (or who
did within FOLLOW_UP_WINDOW): `signup_slot.in_conversation`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from dialer.errors import InvalidInput
from dialer.models import Voter
from dialer.services.calling import live_figures
from dialer.services.signups import signup_slot
from web import json_fields as fields
from web.access import Also, organiser_of
from web.identity import Account
from web.services import services
from web.signups import locate

bp = Blueprint("signup_slot", __name__, url_prefix="/signups")


def _talking_to(account: Account, voter_id: int) -> bool:
    wired = services()
    return signup_slot.in_conversation(wired.uow(), wired.clock, account.id, voter_id)


#: The volunteer on the call with the voter (or who just was) signs them up from the calling page.
IN_CONVERSATION = Also("the volunteer in conversation with the voter", _talking_to)


@bp.get("/voters/<int:voter_id>/options")
@organiser_of("voter_id", campaign_of=Voter, also=IN_CONVERSATION)
def options(voter_id: int) -> ResponseReturnValue:
    found = signup_slot.options_for(services().uow(), services().clock, locate(), voter_id)
    return jsonify(
        voter={"id": found.voter_id, "first_name": found.first_name},
        events=[
            {
                "id": item.id,
                "title": item.title,
                "seat": item.seat_name,
                "starts_at": item.starts_at.isoformat(),
                "meeting_postcode": item.meeting_postcode,
                "places_left": item.places_left,
                "distance_km": _km(item.distance_km),
                "status": found.event_status.get(item.id),
            }
            for item in found.events
        ],
        carpools=[
            {
                "id": ride.carpool_id,
                "event_title": ride.event_title,
                "departs_at": ride.departs_at.isoformat(),
                "pickup_area": ride.pickup_area,
                "seats_left": ride.seats_left,
                "distance_km": _km(ride.distance_km),
                "status": found.carpool_status.get(ride.carpool_id),
            }
            for ride in found.rides
        ],
        pledges=[
            {
                "id": pledge.id,
                "text": pledge.text,
                "status": "pledged" if pledge.id in found.pledged else None,
            }
            for pledge in found.pledges
        ],
    )


@bp.post("/voters/<int:voter_id>")
@organiser_of("voter_id", campaign_of=Voter, also=IN_CONVERSATION)
def sign_up(voter_id: int) -> ResponseReturnValue:
    body: Any = request.get_json(silent=True)
    kinds = {"event": "event_id", "carpool": "carpool_id", "pledge": "pledge_id"}
    if not isinstance(body, dict):
        return jsonify(error="send {kind: event|carpool|pledge, id, outcome_id}"), 400
    try:
        kind = fields.choice(body, "kind", kinds)
        target = fields.record_id(body, "id")
        outcome_id = fields.optional_id(body, "outcome_id")
        channel = fields.choice(body, "channel", ("phone", "doorstep"), default="phone")
    except InvalidInput as error:
        return jsonify(error=str(error)), 400
    try:
        status = signup_slot.sign_up_voter(
            services().uow(),
            services().clock,
            voter_id,
            outcome_id=outcome_id,
            channel=channel,
            **{kinds[kind]: target},
        )
    except InvalidInput as error:
        return jsonify(error=str(error)), 422
    if outcome_id is not None:  # made after the outcome was saved: the dashboards count it now
        live_figures.count_conversation_signups(services().phone_bank, outcome_id)
    return jsonify(kind=kind, id=target, status=status)


def _km(distance: float | None) -> float | None:
    return None if distance is None else round(distance, 1)
