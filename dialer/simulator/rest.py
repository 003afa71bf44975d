"""The REST API's common ground: Basic auth, form fields, Twilio's error bodies, faults and paging."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, request

from dialer.simulator import errors, wire
from dialer.simulator.errors import TwilioError
from dialer.simulator.faults import REST_KINDS
from dialer.simulator.simulated_account import SimulatedAccount
from dialer.simulator.wire import PageRequest

T = TypeVar("T")

bp = Blueprint("twilio_api", __name__, url_prefix=f"/{wire.API_VERSION}/Accounts/<account_sid>")


def simulator() -> SimulatedAccount:
    return current_app.extensions["twilio_simulator"]  # type: ignore[no-any-return]


def reply(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def error_reply(error: TwilioError) -> Response:
    response = reply(error.body(), error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return response


@bp.url_value_preprocessor
def _account(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.account_sid = (values or {}).pop("account_sid", "")


@bp.before_request
def _authenticate_and_inject_faults() -> Response | None:
    sim = simulator()
    try:
        check_credentials(sim)
        if g.account_sid != sim.account_sid:
            raise errors.not_found(request.path)
        fault = sim.switch.faults.fire(REST_KINDS, request.path)
        if fault is not None:
            with sim.switch.transaction():
                sim.switch.log("fault", None, fault=fault.kind, path=request.path)
            if fault.kind == "rest_429":
                raise TwilioError(429, errors.TOO_MANY_REQUESTS, "Too Many Requests")
            if fault.kind == "rest_5xx":
                code = errors.SERVICE_UNAVAILABLE if fault.status == 503 else errors.INTERNAL_ERROR
                raise TwilioError(fault.status, code, "An internal server error has occurred")
            time.sleep(fault.delay_s)
    except TwilioError as exc:
        return error_reply(exc)
    return None


def check_credentials(sim: SimulatedAccount) -> None:
    """HTTP Basic with the account SID and auth token, or an API key SID and its secret."""
    auth = request.authorization
    username = auth.username if auth else None
    password = auth.password if auth else None
    if not username or not password or sim.credentials.get(username) != password:
        raise TwilioError(401, errors.AUTHENTICATE, "Authenticate")


@bp.errorhandler(TwilioError)
def _twilio_error(error: TwilioError) -> Response:
    return error_reply(error)


# --- form fields ----------------------------------------------------------------------------


def text(name: str, default: str | None = None) -> str | None:
    value = request.form.get(name)
    return default if value is None or value == "" else value


def method(name: str) -> str:
    value = (request.form.get(name) or "POST").upper()
    if value not in ("GET", "POST"):
        raise TwilioError(400, errors.INVALID_PARAMETER, f"{name} must be GET or POST")
    return value


def flag(name: str, default: bool) -> bool:
    return wire.boolean(request.form.get(name), default)


def optional_flag(name: str) -> bool | None:
    value = request.form.get(name)
    return None if value is None or value == "" else wire.boolean(value, False)


def number(name: str, default: float, low: float, high: float) -> float:
    value = request.form.get(name)
    if value is None or value == "":
        return default
    try:
        parsed = float(value)
    except ValueError:
        raise TwilioError(400, errors.INVALID_PARAMETER, f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(parsed):
        raise TwilioError(400, errors.INVALID_PARAMETER, f"{name} must be a number, not {value!r}")
    return min(max(parsed, low), high)


def events(name: str, allowed: frozenset[str], default: frozenset[str]) -> frozenset[str]:
    values: list[str] = []
    for value in request.form.getlist(name):
        values.extend(value.replace(",", " ").split())
    unknown = set(values) - allowed
    if unknown:
        raise TwilioError(
            400, errors.INVALID_PARAMETER, f"{name} has unknown events: {', '.join(sorted(unknown))}"
        )
    return frozenset(values) if values else default


# --- lists ------------------------------------------------------------------------------------


def listing(
    key: str,
    newest_first: Callable[[int | None], Iterator[T]],
    oldest_first: Callable[[int], Iterator[T]],
    position: Callable[[str], int | None],
    render: Callable[[T], dict[str, Any]],
    filters: dict[str, str],
) -> Response:
    page = PageRequest.from_query(request.args)
    items, more = wire.page_slice(newest_first, oldest_first, position, page)
    body = wire.page_envelope(
        key,
        [render(item) for item in items],
        path=request.path,
        filters=filters,
        page=page,
        has_more=more,
        sid_of=lambda record: str(record.get("sid") or record.get("call_sid")),
    )
    return reply(body)


def query_filters(*names: str) -> dict[str, str]:
    return {name: request.args[name] for name in names if request.args.get(name)}
