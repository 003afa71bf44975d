"""Reading the fields of a JSON body by what they must be: a record id, text, one of some choices.

A field of the wrong type (an object where an id belongs, a list where a kind belongs, a number
beyond what an id column holds) is an InvalidInput naming the field, which the views answer with
400, before any service runs. The body's own limits (size, depth, numbers) are web.request_json's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from dialer.errors import InvalidInput
from web.converters import LARGEST_ID

MAX_IDS = 50


def record_id(body: Mapping[str, Any], name: str) -> int:
    """A record id: a whole number from 1 to LARGEST_ID (or the same in digits)."""
    value = body.get(name)
    number = _as_id(value)
    if number is None:
        raise InvalidInput(f"{name} must be a record id: a whole number from 1 to {LARGEST_ID}")
    return number


def optional_id(body: Mapping[str, Any], name: str) -> int | None:
    """A record id, or None when the field is missing, null or empty."""
    if body.get(name) in (None, ""):
        return None
    return record_id(body, name)


def id_list(body: Mapping[str, Any], name: str) -> tuple[int, ...]:
    """A list of at most MAX_IDS record ids (missing or null: none)."""
    values = body.get(name)
    if values is None:
        return ()
    if not isinstance(values, list) or len(values) > MAX_IDS:
        raise InvalidInput(f"{name} must be a list of at most {MAX_IDS} record ids")
    return tuple(record_id({name: value}, name) for value in values)


def text(body: Mapping[str, Any], name: str, *, longest: int, default: str = "") -> str:
    """Text of at most `longest` characters (missing or null: the default)."""
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    if len(value) > longest:
        raise InvalidInput(f"{name} must be at most {longest} characters")
    return value


def choice(
    body: Mapping[str, Any], name: str, choices: Collection[str], *, default: str | None = None
) -> str:
    """One of `choices` (missing or null: the default, when there is one)."""
    value = body.get(name)
    if value is None and default is not None:
        return default
    if not isinstance(value, str) or value not in choices:
        raise InvalidInput(f"{name} must be one of: {', '.join(sorted(choices))}")
    return value


def mapping(body: Mapping[str, Any], name: str) -> dict[str, Any]:
    """An object (missing or null: an empty one)."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be an object")
    return value


def texts_by_id(body: Mapping[str, Any], name: str, *, longest: int) -> dict[int, str]:
    """An object keyed by record ids (JSON keys are text: "17") whose values are short text; empty
    values are left out (missing or null: an empty one)."""
    values = mapping(body, name)
    if len(values) > MAX_IDS:
        raise InvalidInput(f"{name} may hold at most {MAX_IDS} entries")
    found: dict[int, str] = {}
    for key, value in values.items():
        number = _as_id(key)
        if number is None:
            raise InvalidInput(f"{name} must be keyed by record ids")
        if value not in (None, ""):
            found[number] = text(values, key, longest=longest)
    return found


def flag(body: Mapping[str, Any], name: str) -> bool:
    """true or false (missing or null: false)."""
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false")
    return value


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and 1 <= value <= LARGEST_ID:
        return value
    return None
