"""Messages API: create (checked as Twilio checks it, opt-outs included), fetch, list, redact."""

from __future__ import annotations

from flask import Response, request

from dialer.simulator import errors, messaging, wire
from dialer.simulator.errors import TwilioError
from dialer.simulator.messages import FINAL, Message
from dialer.simulator.records import newest_first
from dialer.simulator.rest import bp, listing, query_filters, reply, simulator, text

MAX_BODY = 1600


@bp.post("/Messages.json")
def create_message() -> Response:
    switch = simulator().switch
    to, from_, body = text("To"), text("From"), request.form.get("Body", "")
    if not to:
        raise TwilioError(400, errors.TO_MISSING_TEXT, "A 'To' phone number is required.")
    if not from_:
        raise TwilioError(400, errors.FROM_MISSING_TEXT, "A 'From' phone number is required.")
    if not body:
        raise TwilioError(400, errors.BODY_MISSING, "Message body is required.")
    if len(body) > MAX_BODY:
        raise TwilioError(
            400,
            errors.BODY_TOO_LONG,
            f"The concatenated message body exceeds the {MAX_BODY} character limit.",
        )
    if not wire.is_phone_number(to):
        raise TwilioError(400, errors.TO_INVALID, f"The 'To' number {to} is not a valid phone number.")
    with switch.transaction(deferred=True):
        if from_ not in switch.records.numbers_by_e164:
            raise TwilioError(
                400,
                errors.FROM_NOT_TEXT_CAPABLE,
                f"The 'From' number {from_} is not a valid, SMS-capable inbound phone number or short "
                "code for your account.",
            )
        if (to, from_) in switch.messages.opted_out:
            raise TwilioError(400, errors.UNSUBSCRIBED, "Attempt to send to unsubscribed recipient")
        message = messaging.send(switch, to, from_, body, text("StatusCallback"))
        return reply(message.to_json(), 201)


@bp.get("/Messages/<sid>.json")
def fetch_message(sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction():
        return reply(_message(sid).to_json())


@bp.post("/Messages/<sid>.json")
def redact_message(sid: str) -> Response:
    """Twilio's update: an empty Body redacts a message that is no longer on its way."""
    switch = simulator().switch
    if request.form.get("Body") != "":
        raise TwilioError(400, errors.INVALID_PARAMETER, "Body must be an empty string to redact a message")
    with switch.transaction():
        message = _message(sid)
        if message.status not in FINAL:
            raise TwilioError(
                400, errors.INVALID_PARAMETER, "Cannot redact a message that is still being sent"
            )
        message.body, message.updated = "", switch.clock.now()
        return reply(message.to_json())


@bp.get("/Messages.json")
def list_messages() -> Response:
    switch = simulator().switch
    to, from_ = request.args.get("To"), request.args.get("From")
    with switch.transaction():
        book = switch.messages
        older, newer = newest_first(
            book.order,
            lambda message: message.seq,
            lambda message: (to is None or message.to == to) and (from_ is None or message.from_ == from_),
        )
        return listing(
            "messages",
            older,
            newer,
            lambda sid: book.messages[sid].seq if sid in book.messages else None,
            Message.to_json,
            query_filters("To", "From"),
        )


def _message(sid: str) -> Message:
    message = simulator().switch.messages.messages.get(sid)
    if message is None:
        raise errors.not_found(request.path)
    return message
