"""Where a volunteer lives, as far as sign-ups need to know (to put nearby events and rides first).

Postcodes are located by the nearest-marginal finder (`SeatFinder.point_of`), which every sign-up
use case is handed as its `Locate` function.
"""

from __future__ import annotations

from collections.abc import Callable

from dialer.domain.places import Locate, Point, normalise_place
from dialer.models import User
from dialer.ports import UnitOfWork


def home_of(uow_factory: Callable[[], UnitOfWork], locate: Locate, user_id: int) -> Point | None:
    """Where a volunteer said they live (their postcode's coordinates), if known."""
    with uow_factory() as uow:
        user = uow.session.get(User, user_id)
        postcode = normalise_place(user.postcode) if user is not None and user.postcode else None
    return locate(postcode) if postcode else None
