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


def normalise_place(text: str) -> str | None:
    """'sw9 ' -> 'SW9', 'sw1a1aa' -> 'SW1A 1AA'; None unless the text is a full postcode or a district.

    Every field that places someone (an account's home, an event's meeting point, a carpool's pickup)
    takes what the nearest-marginal finder takes: a district is placed at its centre.
    """
    try:
        return parse_postcode(text).text
    except InvalidPostcode:
        return None


def place_of(
    text: str, locate: Locate, *, what: str = "postcode", field: str | None = None
) -> tuple[str, Point]:
    """A postcode or postcode district someone typed, normalised and located, or InvalidInput saying
    what is wrong (the one parser, dialer.domain.postcodes, gives the reason); `field` names the input."""
    try:
        postcode = parse_postcode(text).text
    except InvalidPostcode as exc:
        raise InvalidInput(str(exc), field=field) from None
    point = locate(postcode)
    if point is None:
        raise InvalidInput(f"{what} {postcode} was not found", field=field)
    return postcode, point


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance between two points, in km."""
    return great_circle_km(a.lat, a.lon, b.lat, b.lon)
