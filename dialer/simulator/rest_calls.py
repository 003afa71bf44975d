"""Calls API: create (queued behind the CPS limit), fetch, list with filters and paging, update."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

from flask import Response, request

from dialer.simulator import errors, wire
from dialer.simulator.calls import EVENTS, QUEUED, RINGING, Call, CallOptions
from dialer.simulator.errors import TwilioError
from dialer.simulator.records import newest_first
from dialer.simulator.rest import (
    bp,
    events,
    flag,
    listing,
    method,
    number,
    query_filters,
    reply,
    simulator,
    text,
)

MACHINE_DETECTION = ("Enable", "DetectMessageEnd")
MAX_TWIML = 4000


@bp.post("/Calls.json")
def create_call() -> Response:
    sim = simulator()
    options = call_options(sim.owned_caller_ids())
    switch = sim.switch
    with switch.transaction(deferred=True):
        if options.application_sid:
            application = switch.records.applications.get(options.application_sid)
            if application is None or not application.voice_url:
                raise TwilioError(
                    400, errors.APPLICATION_INVALID, "ApplicationSid is not a valid application"
                )
            options.url, options.method = application.voice_url, application.voice_method
        call = switch.place_call(options)
        body = call.to_json()
    return reply(body, 201)


def call_options(caller_ids: frozenset[str], *, needs_voice: bool = True) -> CallOptions:
    """The Calls API form, checked in the order Twilio checks it."""
    to, from_ = text("To"), text("From")
    if not to:
        raise TwilioError(400, errors.TO_MISSING, "A 'To' phone number is required.")
    if not from_:
        raise TwilioError(400, errors.FROM_MISSING, "A 'From' phone number is required.")
    url, twiml, application = text("Url"), text("Twiml"), text("ApplicationSid")
    if needs_voice and not (url or twiml or application):
        raise TwilioError(400, errors.URL_MISSING, "Either Url, Twiml or ApplicationSid is required.")
    if twiml and len(twiml) > MAX_TWIML:
        raise TwilioError(400, errors.INVALID_PARAMETER, f"Twiml must be at most {MAX_TWIML} characters.")
    if not (to.startswith("client:") or wire.is_phone_number(to)):
        raise TwilioError(400, errors.TO_INVALID, f"The 'To' number {to} is not a valid phone number.")
    if not wire.is_phone_number(from_):
        raise TwilioError(400, errors.FROM_INVALID, f"The 'From' number {from_} is not a valid phone number.")
    if from_ not in caller_ids:
        raise TwilioError(
            400,
            errors.FROM_NOT_OWNED,
            f"The source phone number provided, {from_}, is not yet verified for your account.",
        )
    detection = text("MachineDetection")
    if detection is not None and detection not in MACHINE_DETECTION:
        raise TwilioError(
            400, errors.INVALID_PARAMETER, "MachineDetection must be Enable or DetectMessageEnd"
        )
    return CallOptions(
        to=to,
        from_=from_,
        url=None if twiml else url,
        method=method("Method"),
        twiml=twiml,
        application_sid=application,
        fallback_url=text("FallbackUrl"),
        fallback_method=method("FallbackMethod"),
        status_callback=text("StatusCallback"),
        status_callback_method=method("StatusCallbackMethod"),
        status_callback_events=events("StatusCallbackEvent", frozenset(EVENTS), frozenset({"completed"})),
        timeout=number("Timeout", 60, 1, 600),
        time_limit=number("TimeLimit", 14_400, 1, 86_400),
        machine_detection=detection,
        machine_detection_timeout=number("MachineDetectionTimeout", 30, 3, 59),
        async_amd=flag("AsyncAmd", False),
        async_amd_status_callback=text("AsyncAmdStatusCallback"),
        async_amd_status_callback_method=method("AsyncAmdStatusCallbackMethod"),
    )


@bp.get("/Calls/<sid>.json")
def fetch_call(sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction():
        return reply(_call(sid).to_json())


@bp.post("/Calls/<sid>.json")
def update_call(sid: str) -> Response:
    switch = simulator().switch
    status, url, twiml = text("Status"), text("Url"), text("Twiml")
    if status is not None and status not in ("canceled", "completed"):
        raise TwilioError(400, errors.INVALID_PARAMETER, "Status must be canceled or completed")
    with switch.transaction(deferred=True):
        call = _call(sid)
        if not call.live:
            raise TwilioError(400, errors.CALL_STATE_INVALID, "Call is not in-progress. Cannot redirect.")
        if status == "canceled":
            if call.status in (QUEUED, RINGING):
                switch.hangup(call, by="api")
        elif status == "completed":
            switch.hangup(call, by="api")
        elif url or twiml:
            switch.redirect(call, url=None if twiml else url, method=method("Method"), document=twiml)
        if call.live and text("TimeLimit") is not None:
            switch.set_time_limit(call, number("TimeLimit", 14_400, 1, 86_400))
        for field, name in (("status_callback", "StatusCallback"), ("fallback_url", "FallbackUrl")):
            value = text(name)
            if value:
                setattr(call.options, field, value)
        return reply(call.to_json())


@bp.get("/Calls.json")
def list_calls() -> Response:
    switch = simulator().switch
    args = request.args
    status, to, parent = args.get("Status"), args.get("To"), args.get("ParentCallSid")
    from_ = args.get("From")
    window = _time_window()
    with switch.transaction():
        records = switch.records
        candidates = records.call_candidates(status, to, parent)
        ordered = records.call_order if candidates is None else candidates

        def keep(call: Call) -> bool:
            return (
                (status is None or call.status == status)
                and (to is None or call.options.to == to)
                and (from_ is None or call.options.from_ == from_)
                and (parent is None or call.parent_call_sid == parent)
                and window(call)
            )

        older, newer = newest_first(ordered, lambda call: call.seq, keep)
        return listing(
            "calls",
            older,
            newer,
            lambda sid: records.calls[sid].seq if sid in records.calls else None,
            Call.to_json,
            query_filters(
                "Status",
                "To",
                "From",
                "ParentCallSid",
                "StartTime",
                "StartTime<",
                "StartTime>",
                "EndTime",
                "EndTime<",
                "EndTime>",
            ),
        )


def _call(sid: str) -> Call:
    call = simulator().switch.records.calls.get(sid)
    if call is None:
        raise errors.not_found(request.path)
    return call


def _time_window() -> Callable[[Call], bool]:
    """StartTime/EndTime filters: `StartTime` is a day (UTC); `<` and `>` bound it on or before/after."""
    bounds: list[tuple[str, str, datetime]] = []
    for field, attribute in (("StartTime", "start_time"), ("EndTime", "end_time")):
        for suffix in ("", "<", ">"):
            raw = request.args.get(field + suffix)
            if raw:
                bounds.append((attribute, suffix, _moment(field + suffix, raw)))

    def window(call: Call) -> bool:
        for attribute, suffix, bound in bounds:
            value: datetime | None = getattr(call, attribute)
            if value is None:
                return False
            if suffix == "" and value.astimezone(UTC).date() != bound.date():
                return False
            if (suffix == "<" and value > bound) or (suffix == ">" and value < bound):
                return False
        return True

    return window


def _moment(name: str, raw: str) -> datetime:
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise TwilioError(400, errors.INVALID_PARAMETER, f"{name} must be a date (YYYY-MM-DD)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
