"""How much a seat needs *this* volunteer: the "needs you most" ordering.

    score = closeness x staffing x travel, each factor in (0, 1]

    closeness = 1 / (1 + majority_pct / 5)          the tighter the race, the closer to 1
    staffing  = (1 + shortfall) / 2                  shortfall = max(0, target - committed) / target
    travel    = 1 / (1 + distance_km / 25)           the nearer, the closer to 1

Each factor halves the score at a round, explainable point: a 5% majority, a seat that already has
all the volunteers it asked for, 25 km of travel (about half an hour by car or train). So a dead
heat 25 km away ranks level with a 5% seat on the doorstep, and an unstaffed seat ranks level
with a fully staffed one half its distance away. Ties are broken by distance.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The majority (per cent of valid votes) at which closeness is 1/2.
HALF_CLOSENESS_MAJORITY_PCT = 5.0
#: The distance at which travel is 1/2.
HALF_TRAVEL_KM = 25.0


@dataclass(frozen=True, slots=True)
class NeedScore:
    closeness: float
    staffing: float
    travel: float

    @property
    def score(self) -> float:
        return self.closeness * self.staffing * self.travel


def need_score(*, majority_pct: float, committed: int, target: int, distance_km: float) -> NeedScore:
    """The three factors for one seat, seen from one volunteer."""
    return NeedScore(closeness(majority_pct), staffing(committed, target), travel(distance_km))


def closeness(majority_pct: float) -> float:
    return 1 / (1 + max(0.0, majority_pct) / HALF_CLOSENESS_MAJORITY_PCT)


def staffing(committed: int, target: int) -> float:
    shortfall = max(0, target - committed) / target if target > 0 else 0.0
    return (1 + shortfall) / 2


def travel(distance_km: float) -> float:
    return 1 / (1 + max(0.0, distance_km) / HALF_TRAVEL_KM)
