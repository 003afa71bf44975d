"""Error pages and JSON errors that say what happened and what to do next."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from dialer.errors import Conflict, DialerError, InvalidInput, NotFound
from web.access import wants_json
from web.admission import RETRY_AFTER_S

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("That request could not be understood", "Check what you entered and try again."),
    401: ("Please sign in", "You need to sign in to see this."),
    403: (
        "Not allowed",
        "Your account does not have access to this. Ask an organiser if you think it should.",
    ),
    404: ("Not found", "There is nothing at this address. It may have moved or been removed."),
    405: ("Not allowed", "That kind of request is not accepted here."),
    413: ("Too large", "That upload is larger than Marginal accepts."),
    429: ("Too many requests", "Please wait a little, then try again."),
    500: ("Something went wrong", "The error has been logged. Please try again in a moment."),
    503: ("Very busy", "Marginal is very busy right now. Please try again in a few seconds."),
}

CSRF_MESSAGE = (
    "This form had expired or did not come from Marginal, so nothing was changed. "
    "Reload the page and try again."
)


#: The core's errors a view lets through, and the HTTP status each one is answered with.
DOMAIN_STATUS: dict[type[DialerError], int] = {NotFound: 404, Conflict: 409, InvalidInput: 400}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(PoolTimeout, _busy)
    for error in DOMAIN_STATUS:
        app.register_error_handler(error, _domain_error)


def _answer(status: int, detail: str | None = None) -> ResponseReturnValue:
    title, default = MESSAGES.get(status, (f"Error {status}", ""))
    message = detail or default
    if wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, title=title, message=message), status


def _domain_error(error: DialerError) -> ResponseReturnValue:
    """A core error no view handled itself: its status, with its message (a JSON request, or one
    that sent JSON, gets JSON; a page, the error page)."""
    status = next(code for kind, code in DOMAIN_STATUS.items() if isinstance(error, kind))
    if wants_json() or request.is_json:
        return jsonify(error=str(error)), status
    return _answer(status, sentence(error))


def _csrf_refused(error: CSRFError) -> ResponseReturnValue:
    return _answer(400, CSRF_MESSAGE)


def _rate_limited(error: RateLimitExceeded) -> ResponseReturnValue:
    detail = error.description if error.description and " per " not in error.description else None
    seconds = error.limit.limit.get_expiry()
    wait = "a minute" if seconds <= 60 else f"{-(-seconds // 60)} minutes"
    message = detail or f"Too many requests. Please wait {wait}, then try again."
    response = _answer(429, message)
    return response


def _busy(error: PoolTimeout) -> ResponseReturnValue:
    """Every database connection stayed busy for the pool's whole wait: a surge, not a fault."""
    log.warning("busy: no database connection came free in time (%s)", error)
    response = make_response(_answer(503))
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def too_many_requests(message: str, retry_after: int) -> Response:
    """A 429 for a limit a view counts itself, saying when to come back."""
    response = make_response(_answer(429, message))
    response.headers["Retry-After"] = str(retry_after)
    return response


def _http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    detail = error.description if status in (400, 404) and _is_custom(error) else None
    return _answer(status, detail)


def _is_custom(error: HTTPException) -> bool:
    """True when the description was written by our code, not Werkzeug's generic one."""
    return type(error).description != error.description


#: The longest message shown back: messages may quote what was typed, and a flashed one travels in
#: the session cookie, which browsers drop past 4 KB.
LONGEST_MESSAGE = 300


def shortened(problem: object) -> str:
    """A message cut to LONGEST_MESSAGE characters."""
    text = str(problem).strip()
    return text if len(text) <= LONGEST_MESSAGE else text[: LONGEST_MESSAGE - 1] + "…"


def sentence(problem: object) -> str:
    """A core error message ("enter a full UK postcode") as a sentence for a page."""
    text = shortened(problem)
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
