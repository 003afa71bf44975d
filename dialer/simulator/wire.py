"""Twilio's wire formats: RFC 2822 dates, string numbers, formatted phone numbers, paging envelopes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlencode

import phonenumbers

from dialer.simulator.errors import TwilioError

API_VERSION = "2010-04-01"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000

T = TypeVar("T")


def rfc2822(moment: datetime | None) -> str | None:
    """`Tue, 31 Aug 2010 20:36:28 +0000`, as every Twilio date is written."""
    if moment is None:
        return None
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def seconds(value: float | None) -> str | None:
    """Durations are whole seconds, as strings."""
    return None if value is None else str(int(value))


def boolean(value: str | None, default: bool) -> bool:
    """Twilio's form booleans: `true`/`false` (any other value counts as false, as Twilio does)."""
    if value is None or value == "":
        return default
    return value.strip().lower() == "true"


@lru_cache(maxsize=65_536)
def is_phone_number(value: str) -> bool:
    """An E.164 number that could exist (drama numbers included: they are possible, never allocated)."""
    if not value.startswith("+"):
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(value))
    except phonenumbers.NumberParseException:
        return False


@lru_cache(maxsize=65_536)
def formatted(value: str) -> str:
    """The national rendering Twilio puts in `to_formatted`/`from_formatted`."""
    if not value.startswith("+"):
        return value
    try:
        number = phonenumbers.parse(value)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def account_path(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


@dataclass(frozen=True)
class PageRequest:
    """What a list request asks for: its size, its number and where it starts (Twilio's PageToken)."""

    size: int
    number: int
    token: str | None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> PageRequest:
        try:
            size = int(query.get("PageSize", DEFAULT_PAGE_SIZE))
            number = int(query.get("Page", 0))
        except ValueError:
            raise TwilioError(400, 20001, "PageSize and Page must be integers") from None
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise TwilioError(400, 20001, f"PageSize must be between 1 and {MAX_PAGE_SIZE}")
        return cls(size, max(number, 0), query.get("PageToken") or None)


def page_slice(
    newest_first: Callable[[int | None], Iterator[T]],
    oldest_first: Callable[[int], Iterator[T]],
    position: Callable[[str], int | None],
    page: PageRequest,
) -> tuple[list[T], bool]:
    """One page of a newest-first listing, resumed from a `PA<sid>` (after) or `PB<sid>` (before) token.

    `newest_first(before)` yields matching records older than position `before` (all when None);
    `oldest_first(after)` yields matching records newer than position `after`; `position(sid)` finds
    a record's creation position. Returns the page and whether more records follow it.
    """
    token = page.token
    if token and token.startswith("PB"):
        anchor = position(token[2:])
        if anchor is None:
            raise TwilioError(400, 20001, "PageToken is not valid")
        newer = list(_take(oldest_first(anchor), page.size + 1))
        return list(reversed(newer[: page.size])), True
    before = None
    if token:
        before = position(token[2:]) if token.startswith("PA") else None
        if before is None:
            raise TwilioError(400, 20001, "PageToken is not valid")
    items = list(_take(newest_first(before), page.size + 1))
    return items[: page.size], len(items) > page.size


def _take(items: Iterable[T], count: int) -> Iterator[T]:
    for index, item in enumerate(items):
        if index >= count:
            return
        yield item


def page_envelope(
    key: str,
    records: Sequence[dict[str, Any]],
    *,
    path: str,
    filters: Mapping[str, str],
    page: PageRequest,
    has_more: bool,
    sid_of: Callable[[dict[str, Any]], str],
) -> dict[str, Any]:
    """The list body twilio-python pages through: the records under `key` and Twilio's paging keys."""

    def uri(number: int, token: str | None) -> str:
        query = dict(filters) | {"PageSize": str(page.size), "Page": str(number)}
        if token:
            query["PageToken"] = token
        return f"{path}?{urlencode(query)}"

    start = page.number * page.size
    next_uri = uri(page.number + 1, "PA" + sid_of(records[-1])) if has_more and records else None
    previous_uri = uri(page.number - 1, "PB" + sid_of(records[0])) if page.number > 0 and records else None
    return {
        key: list(records),
        "end": start + max(len(records) - 1, 0),
        "first_page_uri": uri(0, None),
        "next_page_uri": next_uri,
        "page": page.number,
        "page_size": page.size,
        "previous_page_uri": previous_uri,
        "start": start,
        "uri": uri(page.number, page.token),
    }
