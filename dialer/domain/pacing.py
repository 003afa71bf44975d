"""The predictive pacer: how many voters to dial now so volunteers rarely wait and voters are rarely abandoned.

It looks ahead at a few horizons h (seconds). By each horizon, seats needed (D) are the calls
already ringing that will have been answered by then (each with the learnt chance for its age) plus
the new dials; seats on offer (S) are the ready seats plus the busy ones likely to be ready again by
then (each with the learnt chance for how long it has been in its conversation, or in wrap-up).
Both are sums of independent yes/no events, so D - S is close to normal with

    mu = sum(p) - ready - sum(q)        sigma^2 = sum(p(1 - p)) + sum(q(1 - q))

A new dial that is answered by horizon h finds no seat when the others' demand already fills the
seats on offer: P(D - S >= 0) = Phi((mu + 1/2) / sigma). Weighting each horizon by the chance a
fresh dial is answered in the interval ending there gives the chance the new call, once answered,
is abandoned. The pacer adds dials one at a time (each counted into D for the next) while that
chance stays within `overflow_allowed`, which the compliance governor sets. The calls-per-second
budget caps the dials (dials still waiting for it count as ringing, at age 0), and so does a
ceiling on lines per seat. Below the minimum team, before it has learnt from enough calls, or while
the governor brakes, it paces exactly as power dialing: never more calls ringing than ready seats, which cannot abandon anyone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from dialer.domain.pacing_estimates import SessionEstimates


class PacerMode(StrEnum):
    PREDICTIVE = "predictive"
    POWER = "power"  # too few volunteers, or braked by the governor


@dataclass(frozen=True)
class PacerSettings:
    #: Fewer ready-or-busy volunteers than this and the pacer dials as power (small teams gain little
    #: from dialling ahead and their abandon rate swings too much).
    min_team: int = 10
    #: Until the session has seen this many calls end or be answered, the pacer dials as power:
    #: dialling ahead on the prior alone abandons people while it learns.
    min_learnt_calls: int = 60
    horizons_s: tuple[float, ...] = (3.0, 8.0, 14.0, 22.0)
    max_lines_per_seat: float = 3.0


@dataclass(frozen=True)
class SeatsNow:
    """The campaign's session as the pacer sees it at one moment."""

    ready: int
    talking_for_s: Sequence[float]  # per seat with a voter on the line: seconds since the voter reached it
    wrapping_for_s: Sequence[float]  # per seat in wrap-up: seconds since the voter hung up
    ringing_ages_s: Sequence[float]  # per call placed or waiting for the cps budget: seconds since dialled
    dial_budget: int  # dials the calls-per-second limit allows now

    @property
    def team(self) -> int:
        return self.ready + len(self.talking_for_s) + len(self.wrapping_for_s)


@dataclass(frozen=True)
class PacingDecision:
    dials: int
    mode: PacerMode
    dial_level: float  # lines ringing (after these dials) per seat ready or about to be


def power_dials(seats: SeatsNow) -> int:
    """Power dialing: one line per ready seat, counting the lines already ringing."""
    return max(0, min(seats.dial_budget, seats.ready - len(seats.ringing_ages_s)))


def decide(
    seats: SeatsNow,
    estimates: SessionEstimates,
    *,
    overflow_allowed: float,
    braked: bool,
    settings: PacerSettings = PacerSettings(),
) -> PacingDecision:
    """How many new dials to place now (see the module's docstring for the reasoning)."""
    ringing = len(seats.ringing_ages_s)
    if braked or seats.team < settings.min_team or estimates.answers.calls < settings.min_learnt_calls:
        dials = power_dials(seats)
        return PacingDecision(dials, PacerMode.POWER, _level(ringing + dials, seats.ready))
    ceiling = int(settings.max_lines_per_seat * seats.team) - ringing
    most = max(0, min(seats.dial_budget, ceiling))
    horizons = [_Horizon.at(h, seats, estimates) for h in settings.horizons_s]
    dials = 0
    while dials < most and _no_seat_chance(horizons, dials) <= overflow_allowed:
        dials += 1
    look = settings.horizons_s[len(settings.horizons_s) // 2]
    soon = seats.ready + sum(_freeing(seats, estimates, look))
    return PacingDecision(dials, PacerMode.PREDICTIVE, _level(ringing + dials, soon))


@dataclass(frozen=True)
class _Horizon:
    """Seats needed and offered by one horizon, before any new dial."""

    need_mean: float
    need_var: float
    offer_mean: float
    offer_var: float
    fresh: float  # P(a new dial needs a seat within this horizon)

    @classmethod
    def at(cls, horizon_s: float, seats: SeatsNow, estimates: SessionEstimates) -> _Horizon:
        need_mean = need_var = 0.0
        for age in seats.ringing_ages_s:
            p = estimates.answers.need_within(age, horizon_s)
            need_mean += p
            need_var += p * (1 - p)
        offer_mean, offer_var = float(seats.ready), 0.0
        for q in _freeing(seats, estimates, horizon_s):
            offer_mean += q
            offer_var += q * (1 - q)
        return cls(need_mean, need_var, offer_mean, offer_var, estimates.answers.need_within(0.0, horizon_s))

    def no_seat(self, earlier_dials: int) -> float:
        """P(a call answered by this horizon finds every seat taken, after `earlier_dials` new dials)."""
        mean = self.need_mean + earlier_dials * self.fresh - self.offer_mean
        variance = self.need_var + earlier_dials * self.fresh * (1 - self.fresh) + self.offer_var
        return at_least_zero(mean, variance)


def _no_seat_chance(horizons: Sequence[_Horizon], earlier_dials: int) -> float:
    """P(one more dial, once answered, finds no seat): each horizon weighted by the chance it answers then."""
    chance = previous = 0.0
    for horizon in horizons:
        weight = horizon.fresh - previous
        previous = horizon.fresh
        if weight > 0:
            chance += weight * horizon.no_seat(earlier_dials)
    return chance / previous if previous > 0 else 0.0


def at_least_zero(mean: float, variance: float) -> float:
    """P(X >= 0) for an integer-valued X close to normal with this mean and variance (half-unit correction)."""
    if variance <= 1e-12:
        return 1.0 if mean > -0.5 else 0.0
    return 0.5 * (1 + math.erf((mean + 0.5) / math.sqrt(2 * variance)))


def _freeing(seats: SeatsNow, estimates: SessionEstimates, horizon_s: float) -> list[float]:
    """Per busy seat, the chance it is ready again within the horizon."""
    free = estimates.handling.free_within
    return [free(talking, None, horizon_s) for talking in seats.talking_for_s] + [
        free(None, wrapping, horizon_s) for wrapping in seats.wrapping_for_s
    ]


def _level(lines: int, seats: float) -> float:
    return round(lines / seats, 2) if seats > 0 else float(lines)
