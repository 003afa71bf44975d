"""Coordinates for the postcodes events, carpools and voters give, from the geography tables.

This is the seam between sign-ups and the nearest-marginal finder: every use case here takes a
`Locate` function, and this is the one the web app and workers hand them. It reads the full
postcode when the shipped sample has it, else the centre of its postcode district.
"""

from __future__ import annotations

from sqlmodel import Session

from dialer.domain.places import Locate, Point, outcode
from dialer.models import Postcode, PostcodeDistrict


def table_locator(session: Session) -> Locate:
    """A Locate that reads `session`'s Postcode and PostcodeDistrict tables."""

    def locate(postcode: str) -> Point | None:
        exact = session.get(Postcode, postcode)
        if exact is not None:
            return Point(exact.lat, exact.lon)
        district = session.get(PostcodeDistrict, outcode(postcode))
        if district is not None and not district.non_geographic:
            return Point(district.lat, district.lon)
        return None

    return locate
