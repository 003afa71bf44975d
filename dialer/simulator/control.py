"""The control plane under /_sim/ (not Twilio's API): behaviours, the clock, faults, the event log, reset.

It is what a test or an operator uses to stage a scenario against a running simulator; in-process
tests call the same operations on the Simulator object directly. It needs the account's Basic auth,
except /_sim/health.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from dialer.simulator.behaviours import Behaviour, Mix
from dialer.simulator.errors import TwilioError
from dialer.simulator.faults import Fault
from dialer.simulator.rest import check_credentials, error_reply, reply, simulator

bp = Blueprint("control", __name__, url_prefix="/_sim")


class ControlError(ValueError):
    pass


@bp.before_request
def _authenticate() -> Response | None:
    if request.endpoint == "control.health":
        return None
    try:
        check_credentials(simulator())
    except TwilioError as exc:
        return error_reply(exc)
    return None


@bp.errorhandler(ValueError)
def _bad_request(error: ValueError) -> Response:
    return reply({"error": str(error)}, 400)


@bp.errorhandler(TypeError)
def _bad_shape(error: TypeError) -> Response:
    return reply({"error": f"bad request body: {error}"}, 400)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ControlError("send a JSON object")
    return body


@bp.get("/health")
def health() -> Response:
    return reply({"ok": True, **simulator().summary()})


@bp.post("/reset")
def reset() -> Response:
    simulator().reset()
    return reply({"ok": True})


@bp.get("/behaviours")
def behaviours() -> Response:
    return reply(simulator().behaviours())


@bp.put("/behaviours/<path:number>")
def set_behaviour(number: str) -> Response:
    behaviour = Behaviour.from_json(_body())
    simulator().set_behaviour(number, behaviour)
    return reply({"number": number, "behaviour": behaviour.to_json()})


@bp.delete("/behaviours/<path:number>")
def forget_behaviour(number: str) -> Response:
    simulator().forget_behaviour(number)
    return Response(status=204)


@bp.put("/mix")
def set_mix() -> Response:
    mix = Mix.from_json(_body())
    simulator().set_mix(mix)
    return reply(mix.to_json())


@bp.put("/settings")
def settings() -> Response:
    body = _body()
    sim = simulator()
    if "cps" in body:
        sim.set_cps(float(body["cps"]))
    return reply(sim.summary())


@bp.post("/numbers")
def add_number() -> Response:
    number = _body().get("phone_number")
    if not isinstance(number, str):
        raise ControlError("phone_number is required")
    return reply(simulator().add_number(number).to_json(), 201)


@bp.post("/numbers/<path:number>/calls")
def ring(number: str) -> Response:
    """Someone rings one of the account's numbers: `{"from": "+447700900001", "behaviour": {...}}`."""
    body = _body()
    caller = body.get("from")
    if not isinstance(caller, str):
        raise ControlError("from is required")
    behaviour = Behaviour.from_json(body["behaviour"]) if isinstance(body.get("behaviour"), dict) else None
    try:
        sid = simulator().ring(number, from_=caller, behaviour=behaviour)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return reply({"call_sid": sid}, 201)


@bp.post("/numbers/<path:number>/messages")
def text(number: str) -> Response:
    """A phone texts one of the account's numbers: `{"from": "+447700900001", "body": "STOP"}`."""
    body = _body()
    sender, words = body.get("from"), body.get("body")
    if not isinstance(sender, str) or not isinstance(words, str):
        raise ControlError("from and body are required")
    try:
        sid = simulator().text(number, from_=sender, body=words)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return reply({"message_sid": sid}, 201)


@bp.post("/caller_ids")
def verify_caller_id() -> Response:
    """Stands in for Twilio's verification call: the number becomes an outgoing caller ID."""
    number = _body().get("phone_number")
    if not isinstance(number, str):
        raise ControlError("phone_number is required")
    return reply(simulator().verify_caller_id(number).to_json(), 201)


@bp.get("/clock")
def clock() -> Response:
    return reply(simulator().clock_state())


@bp.post("/clock/advance")
def advance() -> Response:
    seconds = float(_body().get("seconds", 0))
    sim = simulator()
    ran = sim.advance(seconds)
    return reply({"ran": ran, **sim.clock_state()})


@bp.get("/faults")
def faults() -> Response:
    return reply({"faults": [fault.to_json() for fault in simulator().faults()]})


@bp.post("/faults")
def inject() -> Response:
    fault = simulator().inject(Fault.from_json(_body()))
    return reply(fault.to_json(), 201)


@bp.delete("/faults")
def clear_faults() -> Response:
    simulator().clear_faults()
    return Response(status=204)


@bp.delete("/faults/<int:fault_id>")
def remove_fault(fault_id: int) -> Response:
    if not simulator().remove_fault(fault_id):
        return reply({"error": f"no fault {fault_id}"}, 404)
    return Response(status=204)


@bp.get("/events")
def events() -> Response:
    since = request.args.get("since", "0")
    limit = request.args.get("limit", "1000")
    if not (since + limit).isascii() or not since.isdigit() or not limit.isdigit():
        raise ControlError("since and limit must be whole numbers")
    sim = simulator()
    found = sim.events(
        since=int(since),
        kind=request.args.get("kind"),
        call_sid=request.args.get("call_sid"),
        limit=min(int(limit), 10_000),
    )
    next_id = found[-1].id + 1 if found else max(int(since), 0)
    return reply({"events": [event.to_json() for event in found], "next": next_id})
