"""IncomingPhoneNumbers (the numbers the account owns), OutgoingCallerIds (other numbers it has
verified) and Applications (the browser leg's voice URL)."""

from __future__ import annotations

from flask import Response, request

from dialer.simulator import errors
from dialer.simulator.accounts import Application, OutgoingCallerId, PhoneNumber
from dialer.simulator.errors import TwilioError
from dialer.simulator.records import display_order, newest_first
from dialer.simulator.rest import bp, listing, query_filters, reply, simulator, text
from dialer.simulator.sids import APPLICATION


@bp.get("/IncomingPhoneNumbers.json")
def list_numbers() -> Response:
    switch = simulator().switch
    wanted, name = request.args.get("PhoneNumber"), request.args.get("FriendlyName")
    with switch.transaction():
        numbers = [
            number
            for number in switch.records.numbers.values()
            if (wanted is None or wanted in number.phone_number)
            and (name is None or number.friendly_name == name)
        ]
        after, before, position = display_order(numbers, lambda number: number.sid)
        return listing(
            "incoming_phone_numbers",
            after,
            before,
            position,
            PhoneNumber.to_json,
            query_filters("PhoneNumber", "FriendlyName"),
        )


@bp.get("/IncomingPhoneNumbers/<sid>.json")
def fetch_number(sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction():
        number = switch.records.numbers.get(sid)
        if number is None:
            raise errors.not_found(request.path)
        return reply(number.to_json())


@bp.post("/IncomingPhoneNumbers/<sid>.json")
def update_number(sid: str) -> Response:
    """Set what a call or a text to the number does (its Voice or SMS URL and method) or its name."""
    switch = simulator().switch
    with switch.transaction():
        number = switch.records.numbers.get(sid)
        if number is None:
            raise errors.not_found(request.path)
        for name, attribute in PhoneNumber.FIELDS.items():
            value = request.form.get(name)  # an empty Voice or SMS URL clears it
            if value is None or (value == "" and attribute not in ("voice_url", "sms_url")):
                continue
            if attribute in ("voice_method", "sms_method"):
                value = value.upper()
                if value not in ("GET", "POST"):
                    raise TwilioError(400, errors.INVALID_PARAMETER, f"{name} must be GET or POST")
            setattr(number, attribute, (value or None) if attribute in ("voice_url", "sms_url") else value)
        number.updated = switch.clock.now()
        return reply(number.to_json())


@bp.get("/OutgoingCallerIds.json")
def list_caller_ids() -> Response:
    switch = simulator().switch
    wanted, name = request.args.get("PhoneNumber"), request.args.get("FriendlyName")
    with switch.transaction():
        caller_ids = [
            caller_id
            for caller_id in switch.records.caller_ids.values()
            if (wanted is None or wanted in caller_id.phone_number)
            and (name is None or caller_id.friendly_name == name)
        ]
        after, before, position = display_order(caller_ids, lambda caller_id: caller_id.sid)
        return listing(
            "outgoing_caller_ids",
            after,
            before,
            position,
            OutgoingCallerId.to_json,
            query_filters("PhoneNumber", "FriendlyName"),
        )


@bp.get("/OutgoingCallerIds/<sid>.json")
def fetch_caller_id(sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction():
        caller_id = switch.records.caller_ids.get(sid)
        if caller_id is None:
            raise errors.not_found(request.path)
        return reply(caller_id.to_json())


@bp.get("/Applications.json")
def list_applications() -> Response:
    switch = simulator().switch
    name = request.args.get("FriendlyName")
    with switch.transaction():
        records = switch.records
        older, newer = newest_first(
            records.application_order,
            lambda application: application.seq,
            lambda application: name is None or application.friendly_name == name,
        )
        return listing(
            "applications",
            older,
            newer,
            lambda sid: records.applications[sid].seq if sid in records.applications else None,
            Application.to_json,
            query_filters("FriendlyName"),
        )


@bp.post("/Applications.json")
def create_application() -> Response:
    switch = simulator().switch
    with switch.transaction():
        records = switch.records
        application = Application(
            sid=switch.sids.new(APPLICATION),
            account_sid=switch.account_sid,
            created=switch.clock.now(),
            seq=(records.application_order[-1].seq + 1) if records.application_order else 0,
        )
        _apply(application)
        records.add_application(application)
        return reply(application.to_json(), 201)


@bp.get("/Applications/<sid>.json")
def fetch_application(sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction():
        return reply(_application(sid).to_json())


@bp.post("/Applications/<sid>.json")
def update_application(sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction():
        application = _application(sid)
        _apply(application)
        application.updated = switch.clock.now()
        return reply(application.to_json())


@bp.delete("/Applications/<sid>.json")
def delete_application(sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction():
        switch.records.remove_application(_application(sid))
    return Response(status=204)


def _application(sid: str) -> Application:
    application = simulator().switch.records.applications.get(sid)
    if application is None:
        raise errors.not_found(request.path)
    return application


def _apply(application: Application) -> None:
    for name, attribute in Application.FIELDS.items():
        value = text(name)
        if value is None:
            continue
        if attribute.endswith("_method"):
            value = value.upper()
            if value not in ("GET", "POST"):
                raise TwilioError(400, errors.INVALID_PARAMETER, f"{name} must be GET or POST")
        setattr(application, attribute, value)
