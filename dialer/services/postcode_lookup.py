"""Coordinates for the postcodes events, carpools and voters give, from the geography tables.

This is the seam between sign-ups and the nearest-marginal finder: every use case here takes a
`Locate` function, and this is the one the web app and workers hand them. It reads the full
postcode when the shipped sample has it, else the centre of its postcode district.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from dialer.domain.places import Locate, Point, normalise_postcode, outcode
from dialer.models import Postcode, PostcodeDistrict, User
from dialer.ports import UnitOfWork


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


def locator(uow_factory: Callable[[], UnitOfWork]) -> Locate:
    """A Locate that opens its own short unit of work per look-up (for use outside a transaction)."""

    def locate(postcode: str) -> Point | None:
        with uow_factory() as uow:
            return table_locator(uow.session)(postcode)

    return locate


def home_of(uow_factory: Callable[[], UnitOfWork], locate: Locate, user_id: int) -> Point | None:
    """Where a volunteer said they live (their postcode's coordinates), if known."""
    with uow_factory() as uow:
        user = uow.session.get(User, user_id)
        postcode = normalise_postcode(user.postcode) if user is not None and user.postcode else None
    return locate(postcode) if postcode else None
