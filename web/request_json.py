"""JSON a request may carry: small, shallow, finite numbers, valid Unicode.

Python's JSON reader takes whatever it is given: 100,000 nested lists (it runs out of stack, a
server error before any view runs), `Infinity` and `NaN`, integers of any length (which the
database cannot hold), and escaped lone surrogates (which cannot be written as UTF-8). So every JSON
body is read here, once, with limits; one that breaks them is refused with 400 and a JSON sentence
saying which limit, before any view (or any write) happens. Views then read their fields with
`web.json_fields`, which says which field is wrong.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

MAX_BYTES = 256 * 1024
MAX_DEPTH = 8
#: The largest integer a JSON body may hold: a signed 64-bit one (ids are checked more narrowly).
LARGEST_INTEGER = 2**63 - 1
_OPENS, _CLOSES = frozenset("[{"), frozenset("]}")


class RefusedJson(ValueError):
    """A body that is JSON but breaks one of the limits (the message says which)."""


def loads(data: str | bytes | bytearray) -> Any:
    """Read a JSON body within the limits, or raise ValueError (RefusedJson saying why)."""
    if len(data) > MAX_BYTES:
        raise RefusedJson(f"the JSON body is larger than {MAX_BYTES // 1024} KB")
    text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    if _depth(text) > MAX_DEPTH:
        raise RefusedJson(f"the JSON body is nested more than {MAX_DEPTH} levels deep")
    value = json.loads(text, parse_constant=_constant, parse_int=_integer, parse_float=_float)
    _check_text(value)
    return value


def refuse_unreadable_json(app: Flask) -> None:
    """Read every JSON body with the limits before the views (or the NUL check) read it.

    Only request bodies: the session cookie and Flask's own JSON are read as Flask reads them.
    """

    @app.before_request
    def _refuse() -> ResponseReturnValue | None:
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.is_json:
            return None
        try:
            loads(request.get_data(cache=True))
        except RefusedJson as refused:
            return jsonify(error=_sentence(str(refused))), 400
        except ValueError:
            return jsonify(error="The body is not valid JSON."), 400
        return None


def _depth(text: str) -> int:
    """How deeply arrays and objects nest, not counting brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPENS:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    break
        elif char in _CLOSES:
            depth -= 1
    return deepest


def _constant(name: str) -> Any:
    raise RefusedJson(f"{name} is not a number the JSON body may hold")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > 19 or abs(number := int(digits)) > LARGEST_INTEGER:
        raise RefusedJson("a number in the JSON body is larger than a 64-bit integer")
    return number


def _float(digits: str) -> float:
    number = float(digits)
    if not math.isfinite(number):
        raise RefusedJson("a number in the JSON body is too large")
    return number


def _check_text(value: Any) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise RefusedJson("text in the JSON body is not valid Unicode") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."
