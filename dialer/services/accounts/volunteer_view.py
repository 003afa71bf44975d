"""Everything the volunteer's first page shows, gathered in one call.

Both orderings of the nearby marginals (from memory), then the counts, upcoming events and carpools
and open pledges of every seat listed (read fresh), and the seats the map is drawn from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dialer.clock import Clock
from dialer.ports import UnitOfWorkFactory
from dialer.services.geography.seat_activity import (
    NO_ACTIVITY,
    EventListing,
    PledgeListing,
    SeatActivity,
    count_activity,
    open_pledges,
    upcoming_events,
)
from dialer.services.geography.seat_finder import (
    FindSeats,
    Ordering,
    Seat,
    SeatFinder,
    SeatIndex,
    SeatsNearby,
)


@dataclass(frozen=True)
class VolunteerView:
    nearest: SeatsNearby
    neediest: SeatsNearby
    #: Upcoming events (with their carpools) of every seat in either list, by ONS code.
    events: dict[str, list[EventListing]]
    #: Open pledges of the campaigns working in every seat listed, by ONS code.
    pledges: dict[str, list[PledgeListing]]
    #: Every seat at the election, and the marginal ones, for the map.
    seats: Sequence[Seat]
    marginals: SeatIndex


def volunteer_view(
    finder: SeatFinder, uow: UnitOfWorkFactory, clock: Clock, command: FindSeats
) -> VolunteerView:
    nearest = finder.find(replace(command, order=Ordering.DISTANCE))
    neediest = finder.find(replace(command, order=Ordering.NEED))
    listed = {ranked.seat.ons_code for ranked in (*nearest.seats, *neediest.seats)}
    with uow() as unit:
        now = clock.now()
        events = upcoming_events(unit.session, listed, now)
        pledges = open_pledges(unit.session, listed)
        activity = count_activity(unit.session, now, only=listed)
    return VolunteerView(
        nearest=_with_activity(nearest, activity),
        neediest=_with_activity(neediest, activity),
        events=events,
        pledges=pledges,
        seats=finder.seats(nearest.rule.election),
        marginals=finder.index(nearest.rule),
    )


def _with_activity(found: SeatsNearby, activity: dict[str, SeatActivity]) -> SeatsNearby:
    """The same ranking, its cards showing the counts just read (the order used the cached ones)."""
    seats = [replace(r, activity=activity.get(r.seat.ons_code, NO_ACTIVITY)) for r in found.seats]
    return replace(found, seats=seats)
