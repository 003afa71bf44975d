"""Places sign-ups happen at: UK postcodes as written by people, their coordinates, distances.

Turning a postcode into coordinates needs the geography tables, so it is passed in as a `Locate`
function (the nearest-marginal finder owns the real resolver; tests pass a dictionary). This module
only checks that a postcode is shaped like one and measures distances between points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from dialer.errors import InvalidInput

#: The shape of a UK postcode (outward code, inward code), as the Royal Mail writes them.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_SPACE = re.compile(r"\s+")
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


#: Coordinates of a normalised postcode ("SW1A 1AA"), or None when it is not known.
Locate = Callable[[str], Point | None]


def normalise_postcode(text: str) -> str | None:
    """'sw1a1aa ' -> 'SW1A 1AA'; None when the text is not shaped like a UK postcode.

    The one postcode rule: accounts, voter imports, events and carpools all read postcodes with it.
    """
    match = _POSTCODE.match(_SPACE.sub("", text).upper())
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


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
    """Great-circle (haversine) distance; plenty accurate for 'which pickup is nearest'."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
