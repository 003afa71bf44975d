"""A postcode file an organisation downloads, read row by row: the ONS Postcode Directory (ONSPD)
or a simpler postcode,latitude,longitude[,constituency] file.

Which kind it is comes from the header, read without regard to case: the ONSPD's `pcds` (else `pcd`
or `pcd2`), `lat`, `long`, its Westminster constituency `pcon` (or a year-stamped `pcon24cd` in
later editions) and `doterm` (the month a postcode was terminated); the simple file's `postcode`,
`latitude`, `longitude` and an optional `constituency` (an ONS code such as E14001172). Which
boundary set a constituency code belongs to is for the caller, which holds the seats, to say.

A row is a point, a row to skip (a terminated postcode, one with no grid reference, one in a Crown
dependency), or an InvalidInput saying what is wrong with it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from dialer.domain.postcodes import CROWN_DEPENDENCY_AREAS, InvalidPostcode, parse_postcode
from dialer.errors import InvalidInput

_POSTCODE = ("pcds", "pcd", "pcd2", "postcode")
_LAT = ("lat", "latitude")
_LON = ("long", "longitude", "lon", "lng")
_CONSTITUENCY = ("pcon", "constituency", "constituency_code")
_YEAR_STAMPED_CONSTITUENCY = re.compile(r"pcon(\d\d)cd")
_TERMINATED = ("doterm",)
_ONS_CODE = re.compile(r"[A-Z][0-9]{8}")
#: The ONSPD's "no such area" codes (E99999999, ...) and its "no grid reference" latitude.
_PSEUDO_CODE_TAIL = "99999999"
_NO_GRID_REFERENCE_LAT = 99.999999
#: The United Kingdom with the Channel Islands and the Isle of Man, generously (Rockall aside).
_LAT_RANGE = (49.0, 61.0)
_LON_RANGE = (-8.7, 2.0)


class Skip(StrEnum):
    """Rows that are well formed but locate nobody."""

    TERMINATED = "terminated postcodes"
    NO_LOCATION = "postcodes with no grid reference"
    OUTSIDE_WESTMINSTER = "postcodes in the Crown dependencies"


@dataclass(frozen=True, slots=True)
class PostcodePoint:
    postcode: str  # normalised, "SW1A 1AA"
    outcode: str
    lat: float
    lon: float
    constituency: str | None  # an ONS code, of either boundary set


@dataclass(frozen=True, slots=True)
class Columns:
    """Which of the file's columns hold what this product reads."""

    postcode: str
    lat: str
    lon: str
    constituency: str | None = None
    terminated: str | None = None

    @classmethod
    def from_header(cls, header: Sequence[str] | None) -> Columns:
        """The columns to read; InvalidInput naming what is missing when the file is not one we read."""
        names = {name.strip().lower(): name for name in header or () if name}
        postcode = _first(names, _POSTCODE)
        lat = _first(names, _LAT)
        lon = _first(names, _LON)
        if postcode is None or lat is None or lon is None:
            raise InvalidInput(
                "not a postcode file we can read: the first line must name the columns, either the ONS "
                "Postcode Directory's (pcds, lat, long, pcon) or postcode,latitude,longitude[,constituency]"
                f" (this one has {', '.join(list(names)[:8]) or 'none'})"
            )
        stamped = sorted(
            (match[1], name)
            for key, name in names.items()
            if (match := _YEAR_STAMPED_CONSTITUENCY.fullmatch(key))
        )
        constituency = stamped[-1][1] if stamped else _first(names, _CONSTITUENCY)
        return cls(postcode, lat, lon, constituency, _first(names, _TERMINATED))


def _first(names: Mapping[str, str], candidates: Sequence[str]) -> str | None:
    return next((names[c] for c in candidates if c in names), None)


def read_row(columns: Columns, row: Mapping[str, str | None]) -> PostcodePoint | Skip:
    """One row as a point or a reason to skip it; InvalidInput says what is wrong with a bad one."""
    raw = (row.get(columns.postcode) or "").strip()
    if columns.terminated and (row.get(columns.terminated) or "").strip():
        return Skip.TERMINATED
    if raw[:2].upper() in CROWN_DEPENDENCY_AREAS and raw[2:3].isdigit():
        return Skip.OUTSIDE_WESTMINSTER
    try:
        query = parse_postcode(raw)
    except InvalidPostcode as wrong:
        raise InvalidInput(str(wrong)) from None
    if query.inward is None:
        raise InvalidInput(f"postcode {raw!r} is only a district: a full postcode is needed")
    lat = _number(row.get(columns.lat), "latitude")
    lon = _number(row.get(columns.lon), "longitude")
    if lat == _NO_GRID_REFERENCE_LAT:
        return Skip.NO_LOCATION
    if not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LON_RANGE[0] <= lon <= _LON_RANGE[1]):
        raise InvalidInput(f"{query.text} at {lat}, {lon} is not in the UK (latitude, longitude in degrees)")
    return PostcodePoint(query.text, query.outward, lat, lon, _constituency(columns, row))


def _number(raw: str | None, name: str) -> float:
    text = (raw or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{name} {text!r} is not a number" if text else f"no {name}") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{name} {text!r} is not a number")
    return value


def _constituency(columns: Columns, row: Mapping[str, str | None]) -> str | None:
    if columns.constituency is None:
        return None
    code = (row.get(columns.constituency) or "").strip().upper()
    if not code or code.endswith(_PSEUDO_CODE_TAIL):
        return None
    if not _ONS_CODE.fullmatch(code):
        raise InvalidInput(
            f"constituency {code!r} is not an ONS code (a letter and eight digits, e.g. E14001172)"
        )
    return code
