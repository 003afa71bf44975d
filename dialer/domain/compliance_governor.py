"""Ofcom's abandoned-call rate, counted as Ofcom counts it, and the governor that keeps the pacer under it.

The rate: abandoned calls / live calls, per campaign, over a rolling 24 hours (and the day so far).
A live call is one answered by a person; it is abandoned when no volunteer took it within 2 s (it
heard the information message instead). When answering-machine detection turns calls away as
machines, an estimate of the people among them (from detection's false-positive rate, see
`AbandonCounts.wrongly_turned_away`) counts as both live and abandoned, as Ofcom's guidance asks.

The governor turns the rate into the pacer's two inputs. `overflow_allowed`, the share of the
voters expected to answer that the pacer may risk leaving without a seat, is integrated toward the
target multiplicatively (it grows while the rate is under target and shrinks while over), measured
on a rate smoothed with a few pretend calls at the target so the first minutes do not swing it, and
clamped to a band. The brake is a hard stop on the rate (over at least 100 live calls): at `brake_at` the pacer drops to power
dialing (which cannot abandon) until the rate is back under `release_at`. While braked the integral
is frozen, so releasing the brake does not unleash a backlog of "we were under target" (no wind-up).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

ROLLING_WINDOW = timedelta(hours=24)
#: Ofcom's ceiling for one campaign over 24 hours.
OFCOM_LIMIT = 0.03


@dataclass(frozen=True)
class AbandonCounts:
    """What a campaign's calls in one window amount to, in Ofcom's terms."""

    live: int = 0  # answered by a person (those abandoned included)
    abandoned: int = 0
    turned_away_as_machines: int = 0  # answers detection classified as machines (not put through)

    def wrongly_turned_away(self, machine_false_positive_rate: float) -> float:
        """The estimated people among the answers detection turned away as machines.

        Detection calls a share r of people machines, so of H people who answered, r * H were turned
        away and (1 - r) * H are the live calls we saw: r / (1 - r) of those (no more than were turned away).
        """
        if not self.turned_away_as_machines or machine_false_positive_rate <= 0:
            return 0.0
        share = machine_false_positive_rate / (1 - machine_false_positive_rate)
        return min(float(self.turned_away_as_machines), self.live * share)

    def rate(self, machine_false_positive_rate: float = 0.0) -> float:
        wrongly = self.wrongly_turned_away(machine_false_positive_rate)
        live = self.live + wrongly
        return (self.abandoned + wrongly) / live if live > 0 else 0.0


@dataclass(frozen=True)
class GovernorSettings:
    target: float = 0.014
    brake_at: float = 0.025
    release_at: float = 0.02
    start_overflow: float = 0.02
    min_overflow: float = 0.002
    max_overflow: float = 0.12
    #: How fast the integral moves: `overflow *= exp(gain * (target - rate) / target)` per update.
    gain: float = 0.03
    #: Pretend calls at the target blended into the rate the integral sees.
    prior_live: float = 60.0
    #: The brake's rate counts at least this many live calls (see `braking_rate`).
    brake_min_live: float = 100.0
    #: Detection's share of people it calls machines (Twilio quotes a few per cent).
    machine_false_positive_rate: float = 0.03


@dataclass(frozen=True)
class GovernorState:
    overflow_allowed: float
    braked: bool = False

    @classmethod
    def starting(cls, settings: GovernorSettings = GovernorSettings()) -> GovernorState:
        return cls(settings.start_overflow)


def governed(
    state: GovernorState, counts: AbandonCounts, settings: GovernorSettings = GovernorSettings()
) -> GovernorState:
    """The governor's next state, given the campaign's counts over the window that binds (24 h / today)."""
    rate = braking_rate(counts, settings)
    if state.braked:
        return state if rate >= settings.release_at else replace(state, braked=False)
    if rate >= settings.brake_at:
        return replace(state, braked=True)
    wrongly = counts.wrongly_turned_away(settings.machine_false_positive_rate)
    smoothed = (counts.abandoned + wrongly + settings.prior_live * settings.target) / (
        counts.live + wrongly + settings.prior_live
    )
    step = math.exp(settings.gain * (settings.target - smoothed) / settings.target)
    allowed = min(settings.max_overflow, max(settings.min_overflow, state.overflow_allowed * step))
    return replace(state, overflow_allowed=allowed)


def braking_rate(counts: AbandonCounts, settings: GovernorSettings = GovernorSettings()) -> float:
    """The rate the brake watches: Ofcom's, over at least `brake_min_live` live calls.

    Ofcom measures over 24 hours; one abandoned call among the first twenty of a day is 5% for a
    moment but not a spike, and braking on it would cost the first hour of every shift.
    """
    wrongly = counts.wrongly_turned_away(settings.machine_false_positive_rate)
    live = max(counts.live + wrongly, settings.brake_min_live)
    return (counts.abandoned + wrongly) / live


@dataclass(frozen=True)
class _Answered:
    at: datetime
    live: bool
    abandoned: bool
    turned_away: bool


class AbandonLedger:
    """A campaign's answered calls in memory, counted over a rolling window (the shift simulation's record)."""

    def __init__(self, window: timedelta = ROLLING_WINDOW) -> None:
        self.window = window
        self._calls: deque[_Answered] = deque()
        self._live = self._abandoned = self._turned_away = 0

    def answered(self, at: datetime, *, abandoned: bool = False, turned_away: bool = False) -> None:
        """A person answered (put through, or `abandoned`), or detection `turned_away` an answer as a machine."""
        entry = _Answered(at, not turned_away, abandoned and not turned_away, turned_away)
        self._calls.append(entry)
        self._count(entry, +1)

    def counts(self, now: datetime) -> AbandonCounts:
        while self._calls and self._calls[0].at <= now - self.window:
            self._count(self._calls.popleft(), -1)
        return AbandonCounts(self._live, self._abandoned, self._turned_away)

    def _count(self, entry: _Answered, sign: int) -> None:
        self._live += sign * entry.live
        self._abandoned += sign * entry.abandoned
        self._turned_away += sign * entry.turned_away
