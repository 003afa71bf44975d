"""Twilio's webhooks: signed requests in, a use case called, TwiML (or nothing) out.

Every request must carry a valid X-Twilio-Signature for the public URL Twilio called (the
configured PUBLIC_BASE_URL plus this path and query, so it holds behind a proxy); anything else is
refused with 403. Each route declares the `twilio_webhook` access policy (no session, no CSRF token)
and checks the signature itself with `signed_by_twilio`. The answer webhook is the hot path: one
Redis script and two row updates, then the reply; counting and publishing follow once it has gone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue
from twilio.request_validator import RequestValidator

from dialer.adapters.twilio_telephony import render
from dialer.domain.call_control import CallInstruction
from dialer.services import phone_bank as paths
from dialer.services.accounts import phone_verification
from dialer.services.calling import call_events, machine_detection, returned_calls, seat_holding, sessions
from web.access import twilio_webhook
from web.services import services

bp = Blueprint("voice", __name__)

P = ParamSpec("P")


def signed_by_twilio(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Refuse (403) any request whose signature does not match the public URL and its parameters."""

    @wraps(view)
    def checked(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        settings = services().settings
        url = settings.public_base_url + request.path
        if request.query_string:
            url += "?" + request.query_string.decode()
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not RequestValidator(settings.auth_token).validate(url, request.form, signature):
            abort(403)
        return view(*args, **kwargs)

    return checked


@bp.post(paths.ANSWER_PATH)
@twilio_webhook
@signed_by_twilio
def answer() -> ResponseReturnValue:
    bank = services().phone_bank
    answered = call_events.answer_call(
        bank,
        call_events.Answer(
            call_id=_int_arg("call"),
            campaign_id=_int_arg("campaign"),
            reserved_session=request.args.get("seat", type=int),
            sid=request.form.get("CallSid", ""),
            any_seat=request.args.get("any_seat") == "1",
            answered_by=request.form.get("AnsweredBy"),
        ),
    )
    reply = _twiml(answered.instruction)
    reply.call_on_close(lambda: answered.follow_up(bank))  # the voter hears their volunteer first
    return reply


@bp.post(paths.MACHINE_RESULT_PATH)
@twilio_webhook
@signed_by_twilio
def machine_result() -> ResponseReturnValue:
    """Asynchronous answering-machine detection's verdict, seconds after the answer."""
    form = request.form
    machine_detection.on_machine_result(
        services().phone_bank,
        machine_detection.MachineResult(
            call_id=_int_arg("call"), sid=form.get("CallSid", ""), answered_by=form.get("AnsweredBy", "")
        ),
    )
    return "", 204


@bp.post(paths.STATUS_PATH)
@twilio_webhook
@signed_by_twilio
def status() -> ResponseReturnValue:
    form = request.form
    call_events.on_call_status(
        services().phone_bank,
        call_events.StatusReport(
            call_id=request.args.get("call", type=int),
            sid=form.get("CallSid", ""),
            status=form.get("CallStatus", ""),
            sequence=form.get("SequenceNumber", type=int),
            duration_s=form.get("CallDuration", type=int),
            answered_by=form.get("AnsweredBy"),
            payload=_payload(),
            sip_code=form.get("SipResponseCode", type=int),
            error_code=form.get("ErrorCode", type=int),
        ),
    )
    return "", 204


@bp.post(paths.CONFERENCE_PATH)
@twilio_webhook
@signed_by_twilio
def conference() -> ResponseReturnValue:
    form = request.form
    call_events.on_conference_event(
        services().phone_bank,
        call_events.ConferenceEvent(
            session_id=_int_arg("seat"),
            conference_sid=form.get("ConferenceSid", ""),
            event=form.get("StatusCallbackEvent", ""),
            call_sid=form.get("CallSid", ""),
            sequence=form.get("SequenceNumber", type=int),
            payload=_payload(),
        ),
    )
    return "", 204


@bp.post(paths.SOFTPHONE_PATH)
@twilio_webhook
@signed_by_twilio
def softphone() -> ResponseReturnValue:
    """The TwiML App's Voice URL: the browser softphone connects with a `session` parameter."""
    session_id = request.form.get("session", type=int)
    if session_id is None:
        abort(400)
    bank = services().phone_bank
    return _twiml(
        sessions.softphone_joined(
            bank, session_id, request.form.get("From", ""), request.form.get("CallSid", "")
        )
    )


@bp.post(paths.VOLUNTEER_ANSWER_PATH)
@twilio_webhook
@signed_by_twilio
def volunteer_answer() -> ResponseReturnValue:
    bank = services().phone_bank
    return _twiml(sessions.volunteer_phone_answered(bank, _int_arg("seat"), request.form.get("CallSid", "")))


@bp.post(paths.VOLUNTEER_CONFIRM_PATH)
@twilio_webhook
@signed_by_twilio
def volunteer_confirm() -> ResponseReturnValue:
    bank = services().phone_bank
    instruction = sessions.volunteer_confirmed(
        bank, _int_arg("seat"), request.form.get("CallSid", ""), request.form.get("Digits", "")
    )
    return _twiml(instruction)


@bp.post(paths.VOLUNTEER_STATUS_PATH)
@twilio_webhook
@signed_by_twilio
def volunteer_status() -> ResponseReturnValue:
    status_value = request.form.get("CallStatus", "")
    if status_value in ("completed", "busy", "no-answer", "failed", "canceled"):
        bank, seat, sid = services().phone_bank, _int_arg("seat"), request.form.get("CallSid", "")
        if not seat_holding.volunteer_left(bank, seat, sid, None):
            sessions.volunteer_leg_ended(bank, seat, sid, status_value)
    return "", 204


@bp.post(paths.PHONE_CHECK_ANSWER_PATH)
@twilio_webhook
@signed_by_twilio
def phone_check_answer() -> ResponseReturnValue:
    bank = services().phone_bank
    return _twiml(phone_verification.check_answered(bank, _int_arg("check"), request.form.get("CallSid", "")))


@bp.post(paths.PHONE_CHECK_CONFIRM_PATH)
@twilio_webhook
@signed_by_twilio
def phone_check_confirm() -> ResponseReturnValue:
    bank = services().phone_bank
    instruction = phone_verification.check_confirmed(
        bank, _int_arg("check"), request.form.get("CallSid", ""), request.form.get("Digits", "")
    )
    return _twiml(instruction)


@bp.post(paths.PHONE_CHECK_STATUS_PATH)
@twilio_webhook
@signed_by_twilio
def phone_check_status() -> ResponseReturnValue:
    """Nothing to do when a verification call ends: only a 1 pressed changes anything."""
    return "", 204


@bp.post(paths.INCOMING_PATH)
@twilio_webhook
@signed_by_twilio
def incoming() -> ResponseReturnValue:
    """The Voice URL of every campaign caller ID: someone rings the number back."""
    form = request.form
    return _twiml(returned_calls.on_incoming(services().phone_bank, form.get("To", ""), form.get("From", "")))


@bp.post(paths.INCOMING_CHOICE_PATH)
@twilio_webhook
@signed_by_twilio
def incoming_choice() -> ResponseReturnValue:
    form = request.form
    instruction = returned_calls.on_choice(
        services().phone_bank, form.get("To", ""), form.get("From", ""), form.get("Digits", "")
    )
    return _twiml(instruction)


@bp.post(paths.HOLD_PATH)
@twilio_webhook
@signed_by_twilio
def hold() -> ResponseReturnValue:
    """What a voter hears on hold while their volunteer's audio reconnects."""
    return _twiml(seat_holding.hold_message(services().phone_bank, _int_arg("seat")))


def _twiml(instruction: CallInstruction) -> Response:
    return Response(render(instruction), mimetype="text/xml")


def _int_arg(name: str) -> int:
    value = request.args.get(name, type=int)
    if value is None:
        abort(400)
    return value


#: Twilio sends the numbers of both ends, and where they are (ToCity, ToZip, CalledState...): the
#: dialer needs none of them, so none is kept with the callback.
_ABOUT_THE_ENDS = ("From", "To", "Caller", "Called", "ForwardedFrom")


def _payload() -> dict[str, Any]:
    """The callback's parameters, kept with the event, less the numbers and places of the two ends."""
    return {key: value for key, value in request.form.items() if not key.startswith(_ABOUT_THE_ENDS)}
