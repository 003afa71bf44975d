"""Everything the volunteer's first page shows, gathered in one call.

Both orderings of the nearby marginals (from memory), then the upcoming events and carpools of
every seat listed (one fresh read), and the seats the map is drawn from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dialer.clock import Clock
from dialer.ports import UnitOfWorkFactory
from dialer.services.seat_activity import EventListing, upcoming_events
from dialer.services.seat_finder import FindSeats, Ordering, Seat, SeatFinder, SeatIndex, SeatsNearby


@dataclass(frozen=True)
class VolunteerView:
    nearest: SeatsNearby
    neediest: SeatsNearby
    #: Upcoming events (with their carpools) of every seat in either list, by ONS code.
    events: dict[str, list[EventListing]]
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
        events = upcoming_events(unit.session, listed, clock.now())
    return VolunteerView(
        nearest=nearest,
        neediest=neediest,
        events=events,
        seats=finder.seats(nearest.rule.election),
        marginals=finder.index(nearest.rule),
    )
