"""Places sign-ups happen at: UK postcodes as written by people, their coordinates, distances.

Turning a postcode into coordinates needs the geography tables, so it is passed in as a `Locate`
function (the nearest-marginal finder owns the real resolver; tests pass a dictionary). This module
only checks that a postcode is shaped like one and measures distances between points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dialer.domain.distance import great_circle_km
from dialer.domain.postcodes import InvalidPostcode, parse_postcode
from dialer.errors import InvalidInput


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


#: Coordinates of a normalised postcode ("SW1A 1AA"), or None when it is not known.
Locate = Callable[[str], Point | None]


def normalise_postcode(text: str) -> str | None:
    """'sw1a1aa ' -> 'SW1A 1AA'; None unless the text is a full UK postcode.

    Accounts, voter imports, events and carpools read postcodes with it; it applies the same
    parsing as the nearest-marginal finder (dialer.domain.postcodes), but insists on a full postcode.
    """
    try:
        query = parse_postcode(text)
    except InvalidPostcode:
        return None
    return None if query.is_district_only else query.text


def outcode(postcode: str) -> str:
    """The outward code (postcode district) of a normalised postcode: 'SW1A 1AA' -> 'SW1A'."""
    return postcode.split(" ", 1)[0]


def place_of(text: str, locate: Locate, *, what: str = "postcode") -> tuple[str, Point]:
    """A postcode someone typed, normalised and located, or InvalidInput saying what is wrong."""
    postcode = normalise_postcode(text)
    if postcode is None:
        raise InvalidInput(f"{what} {text.strip()!r} is not a UK postcode (e.g. SW1A 1AA)")
    point = locate(postcode)
    if point is None:
        raise InvalidInput(f"{what} {postcode} was not found")
    return postcode, point


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance between two points, in km."""
    return great_circle_km(a.lat, a.lon, b.lat, b.lon)
