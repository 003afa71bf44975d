"""Where a postcode is: the exact point for a full postcode we hold, else its district's centre.

The gazetteer is read from SQL once per process and answers from memory: locating a volunteer is
a dictionary look-up, never a query. It changes only when `dialer seed` or `dialer postcodes load`
loads new data (restart the web processes afterwards). A whole ONS Postcode Directory (some 1.8
million live postcodes) would not fit in each web process: past IN_MEMORY_POSTCODES full postcodes,
the districts stay in memory and a full postcode is one primary-key query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from dialer.domain.elections import BoundarySet
from dialer.domain.postcodes import Location, Precision, UnknownPostcode, parse_postcode
from dialer.models import Postcode, PostcodeDistrict

#: Beyond this many full postcodes, they are looked up in SQL rather than held in memory.
IN_MEMORY_POSTCODES = 250_000


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

    def __init__(
        self,
        postcodes: dict[str, Place],
        districts: dict[str, District],
        exact: Callable[[str], Place | None] | None = None,
    ) -> None:
        self.postcodes = postcodes
        self.districts = districts
        self._exact = exact or postcodes.get

    @classmethod
    def load(cls, session: Session, *, in_memory: int = IN_MEMORY_POSTCODES) -> Gazetteer:
        districts = _districts(session)
        held = session.connection().execute(sa.select(sa.func.count()).select_from(Postcode)).scalar_one()
        if held > in_memory:
            return cls({}, districts, _PostcodesInSql(session.get_bind()))
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
        return cls(postcodes, districts)

    def locate(self, text: str) -> Location:
        """The volunteer's point: InvalidPostcode for bad input, UnknownPostcode for unknown places."""
        query = parse_postcode(text)
        exact = self._exact(query.text) if query.inward else None
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


def _districts(session: Session) -> dict[str, District]:
    return {
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


def _rows(session: Session, *columns: Any) -> Iterable[Any]:
    """Plain tuples of the columns, without building ORM objects (ten times faster to load)."""
    return session.connection().execute(sa.select(*columns))


def _seats(code_2010: str | None, code_2024: str | None) -> tuple[tuple[str, str], ...]:
    pairs = ((BoundarySet.REVIEW_2010.value, code_2010), (BoundarySet.REVIEW_2023.value, code_2024))
    return tuple((bset, code) for bset, code in pairs if code)


class _PostcodesInSql:
    """Full postcodes looked up one at a time by primary key (for a table too big to hold)."""

    def __init__(self, bind: Engine | Connection) -> None:
        self._engine = bind if isinstance(bind, Engine) else bind.engine

    def __call__(self, postcode: str) -> Place | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(Postcode.lat, Postcode.lon, Postcode.pcon_2010_code, Postcode.pcon_2024_code).where(  # type: ignore[call-overload]
                    Postcode.postcode == postcode
                )
            ).first()
        return None if row is None else Place(row[0], row[1], _seats(row[2], row[3]))
