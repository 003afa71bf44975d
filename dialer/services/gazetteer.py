"""Where a postcode is: the exact point for a full postcode we hold, else its district's centre.

The gazetteer is read from SQL once per process and answers from memory: locating a volunteer is
a dictionary look-up, never a query. It changes only when `dialer seed` loads new data (restart
the web processes afterwards).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from dialer.domain.elections import BoundarySet
from dialer.domain.postcodes import Location, Precision, UnknownPostcode, parse_postcode
from dialer.models import Postcode, PostcodeDistrict


@dataclass(frozen=True, slots=True)
class Place:
    lat: float
    lon: float
    seats: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class District:
    place: Place
    active: bool
    non_geographic: bool
    post_town: str


class Gazetteer:
    """Full postcodes and postcode districts, in memory."""

    def __init__(self, postcodes: dict[str, Place], districts: dict[str, District]) -> None:
        self.postcodes = postcodes
        self.districts = districts

    @classmethod
    def load(cls, session: Session) -> Gazetteer:
        postcodes = {
            postcode: Place(lat, lon, _seats(code_2010, code_2024))
            for postcode, lat, lon, code_2010, code_2024 in _rows(
                session,
                Postcode.postcode,
                Postcode.lat,
                Postcode.lon,
                Postcode.pcon_2010_code,
                Postcode.pcon_2024_code,
            )
        }
        districts = {
            outcode: District(Place(lat, lon, _seats(code_2010, code_2024)), active, non_geographic, town)
            for outcode, lat, lon, code_2010, code_2024, active, non_geographic, town in _rows(
                session,
                PostcodeDistrict.outcode,
                PostcodeDistrict.lat,
                PostcodeDistrict.lon,
                PostcodeDistrict.pcon_2010_code,
                PostcodeDistrict.pcon_2024_code,
                PostcodeDistrict.is_active,
                PostcodeDistrict.non_geographic,
                PostcodeDistrict.post_town,
            )
        }
        return cls(postcodes, districts)

    def locate(self, text: str) -> Location:
        """The volunteer's point: InvalidPostcode for bad input, UnknownPostcode for unknown places."""
        query = parse_postcode(text)
        exact = self.postcodes.get(query.text) if query.inward else None
        if exact is not None:
            return Location(query, exact.lat, exact.lon, Precision.POSTCODE, exact.seats)
        district = self.districts.get(query.outward)
        if district is None:
            raise UnknownPostcode(f"unknown postcode district {query.outward}: check the postcode")
        if not district.active:
            raise UnknownPostcode(
                f"unknown postcode district {query.outward}: it is no longer in use, "
                "so enter your current postcode"
            )
        place = district.place
        return Location(
            query,
            place.lat,
            place.lon,
            Precision.DISTRICT,
            place.seats,
            non_geographic=district.non_geographic,
        )


def _rows(session: Session, *columns: Any) -> Iterable[Any]:
    """Plain tuples of the columns, without building ORM objects (ten times faster to load)."""
    return session.connection().execute(sa.select(*columns))


def _seats(code_2010: str | None, code_2024: str | None) -> tuple[tuple[str, str], ...]:
    pairs = ((BoundarySet.REVIEW_2010.value, code_2010), (BoundarySet.REVIEW_2023.value, code_2024))
    return tuple((bset, code) for bset, code in pairs if code)
