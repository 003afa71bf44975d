"""Finding the marginal seats that need a volunteer: by distance, or by "needs you most".

Seats, results and postcodes are read from SQL once per process; for each (party, election,
threshold) asked for, the marginal seats are kept as an index of unit vectors, built on first use
and kept in a small LRU. A look-up is then a dictionary look-up for the postcode and one pass of
arithmetic over the marginal seats: no SQL, well under a millisecond. Activity counts come from
the `ActivityBoard` (cached for seconds; see seat_activity).
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain.distance import UnitVector, chord_squared_to_km
from dialer.domain.elections import ELECTIONS
from dialer.domain.marginality import MarginalityRule, Standing
from dialer.domain.need import NeedScore, closeness, need_score, staffing, travel
from dialer.domain.places import Point
from dialer.domain.postcodes import InvalidPostcode, Location
from dialer.errors import DialerError, InvalidInput
from dialer.models import Constituency, ConstituencyPoint, ElectionResult
from dialer.ports import UnitOfWorkFactory
from dialer.services.geography.gazetteer import Gazetteer
from dialer.services.geography.seat_activity import NO_ACTIVITY, ActivityBoard, SeatActivity

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
#: Distinct (party, election, threshold) indexes kept per process; thresholds are user input.
MAX_INDEXES = 64


class SeatDataMissing(DialerError):
    """The reference data has not been seeded, so no look-up can be answered."""


class Ordering(StrEnum):
    DISTANCE = "distance"
    NEED = "need"


@dataclass(frozen=True)
class FindSeats:
    """The volunteer's question: the seats near this postcode that are marginal under this rule."""

    postcode: str
    rule: MarginalityRule = field(default_factory=MarginalityRule)
    limit: int = DEFAULT_LIMIT
    order: Ordering = Ordering.DISTANCE

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be a whole number from 1 to {MAX_LIMIT}")


@dataclass(frozen=True, slots=True)
class Seat:
    """A constituency with its result at one election."""

    ons_code: str
    name: str
    country: str
    region: str
    lat: float
    lon: float
    result: str
    winner: str
    runner_up: str
    majority: int
    majority_pct: float
    #: The parties that put up a candidate here (results spelling).
    stood: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RankedSeat:
    rank: int
    seat: Seat
    standing: Standing
    distance_km: float
    need: NeedScore
    activity: SeatActivity


@dataclass(frozen=True)
class SeatsNearby:
    location: Location
    rule: MarginalityRule
    order: Ordering
    limit: int
    seats: list[RankedSeat]
    #: The seat the volunteer is in (approximate when located by district), at the rule's election.
    home_seat: Seat | None
    marginal_count: int
    #: Set when the chosen party put up no candidate in the volunteer's own seat.
    absent: PartyAbsent | None = None


@dataclass(frozen=True)
class PartyAbsent:
    """The chosen party did not stand where the volunteer is: the seats listed are elsewhere."""

    party: str
    home_seat: Seat
    #: True when the party stood nowhere in the home seat's nation (Labour in Northern Ireland).
    whole_country: bool
    #: Parties that did stand in the home seat and have marginals somewhere, to look for instead.
    stood_here: tuple[str, ...]


class SeatIndex:
    """The marginal seats under one rule, with their points as unit vectors for fast ranking."""

    def __init__(self, rule: MarginalityRule, seats: Sequence[Seat]) -> None:
        self.rule = rule
        marginal = [
            (seat, standing)
            for seat in seats
            if rule.is_marginal(seat.winner, seat.runner_up, seat.majority_pct)
            and (standing := rule.standing(seat.winner, seat.runner_up)) is not None
        ]
        self.seats: tuple[Seat, ...] = tuple(seat for seat, _ in marginal)
        self.standings: tuple[Standing, ...] = tuple(standing for _, standing in marginal)
        vectors = [UnitVector.at(seat.lat, seat.lon) for seat in self.seats]
        self._points = tuple((v.x, v.y, v.z) for v in vectors)

        self._need_bases: tuple[Mapping[str, SeatActivity] | None, tuple[float, ...], float] = (None, (), 0.0)

    def __len__(self) -> int:
        return len(self.seats)

    def need_bases(self, activity: Mapping[str, SeatActivity]) -> tuple[tuple[float, ...], float]:
        """Each seat's closeness x staffing (the part of its need score that does not depend on the
        volunteer) and the largest of them; recomputed only when the activity counts are re-read."""
        seen, bases, best = self._need_bases
        if seen is not activity:
            bases = tuple(
                closeness(seat.majority_pct) * staffing(a.committed_volunteers, a.volunteer_target)
                for seat in self.seats
                for a in (activity.get(seat.ons_code, NO_ACTIVITY),)
            )
            best = max(bases, default=0.0)
            self._need_bases = (activity, bases, best)
        return bases, best

    def chords_squared(self, lat: float, lon: float) -> list[float]:
        """The squared chord from the point to every seat (orders exactly as great-circle distance)."""
        v = UnitVector.at(lat, lon)
        x, y, z = v.x, v.y, v.z
        return [(x - a) * (x - a) + (y - b) * (y - b) + (z - c) * (z - c) for a, b, c in self._points]


@dataclass(frozen=True)
class SeatReference:
    """Everything a look-up needs that changes only when `dialer seed` runs."""

    gazetteer: Gazetteer
    seats: dict[str, dict[str, Seat]]  # election -> ons_code -> seat
    parties: dict[str, dict[str, str]]  # election -> lower-case code -> code


class SeatFinder:
    """The volunteer's look-up, answered from memory (thread-safe; one per process)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        activity: ActivityBoard | None = None,
        reference: SeatReference | None = None,
    ) -> None:
        self._uow = uow
        self.activity = activity or ActivityBoard(uow, clock)
        self._lock = threading.Lock()
        self._reference = reference
        self._indexes: OrderedDict[MarginalityRule, SeatIndex] = OrderedDict()

    # --- the look-up -----------------------------------------------------------------

    def find(self, command: FindSeats) -> SeatsNearby:
        reference = self._loaded()
        rule = self.canonical_rule(command.rule)
        location = reference.gazetteer.locate(command.postcode)
        index = self.index(rule)
        chords = index.chords_squared(location.lat, location.lon)
        activity = self.activity.current()
        if command.order is Ordering.DISTANCE:
            chosen = sorted(range(len(index)), key=chords.__getitem__)[: command.limit]
        else:
            chosen = self._neediest(index, chords, activity, command.limit)
        ranked = []
        for rank, i in enumerate(chosen, start=1):
            seat = index.seats[i]
            seat_activity = activity.get(seat.ons_code, NO_ACTIVITY)
            distance = chord_squared_to_km(chords[i])
            need = need_score(
                majority_pct=seat.majority_pct,
                committed=seat_activity.committed_volunteers,
                target=seat_activity.volunteer_target,
                distance_km=distance,
            )
            ranked.append(RankedSeat(rank, seat, index.standings[i], distance, need, seat_activity))
        home_code = location.seat_in(rule.for_election.boundary_set.value)
        home = reference.seats[rule.election].get(home_code) if home_code else None
        absent = self._absent(rule, home) if home is not None else None
        return SeatsNearby(location, rule, command.order, command.limit, ranked, home, len(index), absent)

    def _absent(self, rule: MarginalityRule, home: Seat) -> PartyAbsent | None:
        if rule.party in home.stood or not home.stood:  # no vote counts held: assume it stood
            return None
        seats = self._loaded().seats[rule.election].values()
        nowhere = all(rule.party not in s.stood for s in seats if s.country == home.country)
        known = self._loaded().parties[rule.election]
        others = tuple(p for p in sorted(home.stood) if p.lower() in known)
        return PartyAbsent(rule.party, home, nowhere, others)

    @staticmethod
    def _neediest(
        index: SeatIndex, chords: list[float], activity: Mapping[str, SeatActivity], limit: int
    ) -> list[int]:
        """The `limit` best scores, visiting seats nearest first and stopping as soon as even the
        neediest seat could not score enough at that distance to enter the list."""
        bases, best_base = index.need_bases(activity)
        best: list[tuple[float, float, int]] = []  # a min-heap of (score, -km, seat)
        for i in sorted(range(len(chords)), key=chords.__getitem__):
            km = chord_squared_to_km(chords[i])
            factor = travel(km)
            if len(best) == limit and factor * best_base < best[0][0]:
                break
            entry = (bases[i] * factor, -km, i)
            if len(best) < limit:
                heapq.heappush(best, entry)
            else:
                heapq.heappushpop(best, entry)
        return [i for _, _, i in sorted(best, reverse=True)]

    # --- what the page and the map also need ----------------------------------------------

    def canonical_rule(self, rule: MarginalityRule) -> MarginalityRule:
        """The rule with the party spelt as the results spell it; InvalidInput for unknown parties."""
        parties = self._loaded().parties[rule.election]
        party = parties.get(rule.party.lower())
        if party is None:
            raise InvalidInput(
                f"unknown party '{rule.party}' at {rule.election}: choose one of {', '.join(self.parties(rule.election))}"
            )
        return replace(rule, party=party) if party != rule.party else rule

    def parties(self, election: str) -> list[str]:
        """Parties that won or came second somewhere at this election (the only ones with marginals)."""
        return sorted(self._loaded().parties[election].values())

    def seats(self, election: str) -> Sequence[Seat]:
        return tuple(self._loaded().seats[election].values())

    def index(self, rule: MarginalityRule) -> SeatIndex:
        rule = self.canonical_rule(rule)
        with self._lock:
            index = self._indexes.get(rule)
            if index is not None:
                self._indexes.move_to_end(rule)
                return index
        index = SeatIndex(rule, self.seats(rule.election))
        with self._lock:
            self._indexes[rule] = index
            while len(self._indexes) > MAX_INDEXES:
                self._indexes.popitem(last=False)
        return index

    def seat_of(self, postcode: str, election: str) -> str | None:
        """The seat (ONS code) a postcode lies in at the election's boundaries; None if unknown."""
        rule = MarginalityRule(election=election)
        try:
            location = self._loaded().gazetteer.locate(postcode)
        except InvalidPostcode:
            return None
        return location.seat_in(rule.for_election.boundary_set.value)

    def point_of(self, postcode: str) -> Point | None:
        """Coordinates of a postcode (exact, else its district's centre); None when not locatable.

        This is the `Locate` every sign-up use case is handed (events, carpools, voters).
        """
        reference = self._reference
        gazetteer = reference.gazetteer if reference is not None else self._gazetteer_only()
        try:
            location = gazetteer.locate(postcode)
        except InvalidPostcode:
            return None
        return None if location.non_geographic else Point(location.lat, location.lon)

    def _gazetteer_only(self) -> Gazetteer:
        """The postcodes before election results are loaded (sign-ups do not need the seats)."""
        try:
            return self._loaded().gazetteer
        except SeatDataMissing:
            with self._uow() as uow:
                return Gazetteer.load(uow.session)

    # --- loading ---------------------------------------------------------------------------

    def _loaded(self) -> SeatReference:
        reference = self._reference
        if reference is None:
            with self._lock:
                if self._reference is None:
                    with self._uow() as uow:
                        loaded = load_seat_reference(uow.session)
                    if not any(loaded.seats.values()):
                        raise SeatDataMissing(
                            "no election results are loaded yet: run `dialer seed` and try again"
                        )
                    self._reference = loaded
                reference = self._reference
        return reference


def load_seat_reference(session: Session) -> SeatReference:
    """Seats, results and postcodes, read in a handful of column queries (no ORM objects)."""
    names = {
        code: (name, country, region)
        for code, name, country, region in session.exec(
            select(Constituency.ons_code, Constituency.name, Constituency.country, Constituency.region)
        )
    }
    points = {
        (bset, code): (lat, lon)
        for bset, code, lat, lon in session.exec(
            select(
                ConstituencyPoint.boundary_set,
                ConstituencyPoint.ons_code,
                ConstituencyPoint.lat,
                ConstituencyPoint.lon,
            )
        )
    }
    seats: dict[str, dict[str, Seat]] = {code: {} for code in ELECTIONS}
    columns: tuple[Any, ...] = (
        ElectionResult.election,
        ElectionResult.ons_code,
        ElectionResult.result,
        ElectionResult.winner_party,
        ElectionResult.runner_up_party,
        ElectionResult.majority,
        ElectionResult.majority_pct,
        ElectionResult.party_votes,
    )
    results = session.connection().execute(
        sa.select(*columns).where(col(ElectionResult.election).in_(list(ELECTIONS)))
    )
    for election, code, result, winner, runner_up, majority, majority_pct, votes in results:
        point = points.get((ELECTIONS[election].boundary_set.value, code))
        if point is None:
            continue  # a result without a reference point cannot be placed on the map
        name, country, region = names[code]
        stood = frozenset(party for party, count in (votes or {}).items() if count and party != "Other")
        seats[election][code] = Seat(
            code, name, country, region, *point, result, winner, runner_up, majority, majority_pct, stood
        )
    parties = {
        election: {
            party.lower(): party for seat in by_code.values() for party in (seat.winner, seat.runner_up)
        }
        for election, by_code in seats.items()
    }
    return SeatReference(Gazetteer.load(session), seats, parties)
