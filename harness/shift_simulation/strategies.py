"""The dialing strategies a shift can run: preview, power, a fixed ratio, VICIdial-style adaptive, and ours.

Each strategy sees the shift once a second (`Floor`) and answers how many voters to dial now; the
ones that learn are told about calls and seats as they happen. Preview and power reserve a ready
seat for every call (so they cannot abandon anyone); the others dial ahead and let an answered call
take whichever seat is free.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dialer.domain.compliance_governor import (
    AbandonLedger,
    GovernorSettings,
    GovernorState,
    braking_rate,
    governed,
)
from dialer.domain.pacing import PacerMode, PacerSettings, SeatsNow, decide
from dialer.domain.pacing_estimates import SessionEstimates


@dataclass(frozen=True)
class Floor:
    """The shift at one moment, as a dialer could see it."""

    now_s: float
    at: datetime
    ready: int  # seats with nobody on the line and no call reserved for them
    talking_for_s: Sequence[float]  # seats with someone on the line: seconds since they were put through
    wrapping_for_s: Sequence[float]  # seats in wrap-up: seconds since the call ended
    ringing_ages_s: Sequence[float]  # calls placed and not yet answered or ended
    dial_budget: int  # what the calls-per-second limit allows now
    tick: bool = True  # the once-a-second look (False: a seat or a line just freed)


class Strategy:
    name = "strategy"
    reserves_seat = False  # power and preview: each call takes a ready seat before it is dialled
    think_s: tuple[float, float] = (0.0, 0.0)  # preview: time to read the card before pressing Dial

    def dials(self, floor: Floor) -> int:
        raise NotImplementedError

    # What a strategy may learn from; the default learns nothing.
    def call_needed_seat(self, age_s: float) -> None:
        """A call needed a seat `age_s` after it was dialled."""

    def call_ended(self, age_s: float) -> None:
        """A call ended `age_s` after it was dialled without needing a seat."""

    def talk_ended(self, talk_s: float) -> None:
        """A seat's call ended `talk_s` after it was put through; wrap-up starts."""

    def seat_freed(self, wrap_s: float) -> None:
        """A seat is ready again after `wrap_s` of wrap-up."""

    def answered(self, at: datetime, *, abandoned: bool, turned_away: bool) -> None:
        """An answer as the dialer saw it: put through, abandoned, or turned away by detection."""

    def state(self) -> str:
        return ""


class Preview(Strategy):
    name = "preview"
    reserves_seat = True
    think_s = (3.0, 10.0)

    def dials(self, floor: Floor) -> int:
        return min(floor.ready, floor.dial_budget)


class Power(Strategy):
    name = "power"
    reserves_seat = True

    def dials(self, floor: Floor) -> int:
        return min(floor.ready, floor.dial_budget)


class FixedRatio(Strategy):
    """Keep `ratio` lines ringing per ready seat."""

    def __init__(self, ratio: float = 2.0) -> None:
        self.ratio = ratio
        self.name = f"ratio {ratio:g}:1"

    def dials(self, floor: Floor) -> int:
        want = math.ceil(self.ratio * floor.ready) - len(floor.ringing_ages_s)
        return max(0, min(want, floor.dial_budget))


class VicidialAdaptive(Strategy):
    """A dial level adapted every 15 s, in the manner VICIdial's AST_VDadapt describes (not its code).

    Lines = dial level x ready seats. Every 15 s: over the drop limit (day so far), the level falls;
    otherwise it rises in proportion to the share of the team that sat waiting in those 15 s and
    falls in proportion to answered calls that found nobody. Level kept between 1.0 and 3.0.
    """

    name = "VICIdial-style adaptive"

    def __init__(self, drop_limit: float = 0.02, intensity: float = 1.0, every_s: float = 15.0) -> None:
        self.drop_limit = drop_limit
        self.intensity = intensity
        self.every_s = every_s
        self.level = 1.0
        self._next_adapt = every_s
        self._waiting_sum = 0.0
        self._samples = 0
        self._live = self._dropped = 0
        self._drops_since = 0
        self._team = 1

    def dials(self, floor: Floor) -> int:
        self._team = max(1, floor.ready + len(floor.talking_for_s) + len(floor.wrapping_for_s))
        if floor.tick:  # its averages sample once a second
            self._waiting_sum += floor.ready
            self._samples += 1
        if floor.now_s >= self._next_adapt:
            self._adapt()
            self._next_adapt = floor.now_s + self.every_s
        want = math.ceil(self.level * floor.ready) - len(floor.ringing_ages_s)
        return max(0, min(want, floor.dial_budget))

    def _adapt(self) -> None:
        waiting_share = self._waiting_sum / max(1, self._samples) / self._team
        drop_rate = self._dropped / self._live if self._live else 0.0
        if drop_rate >= self.drop_limit:
            self.level -= 0.1 * self.intensity * (1 + drop_rate / self.drop_limit)
        else:
            self.level += self.intensity * (waiting_share - self._drops_since / self._team)
        self.level = min(3.0, max(1.0, self.level))
        self._waiting_sum, self._samples, self._drops_since = 0.0, 0, 0

    def answered(self, at: datetime, *, abandoned: bool, turned_away: bool) -> None:
        if turned_away:
            return
        self._live += 1
        if abandoned:
            self._dropped += 1
            self._drops_since += 1

    def state(self) -> str:
        return f"level {self.level:.2f}"


class Predictive(Strategy):
    """Ours: the product's pacer, governed by the product's compliance governor."""

    name = "predictive (ours)"

    def __init__(
        self,
        ring_timeout_s: float,
        pacer: PacerSettings | None = None,
        governor: GovernorSettings | None = None,
        govern_every_s: float = 30.0,
    ) -> None:
        self.estimates = SessionEstimates.starting(ring_timeout_s)
        self.pacer = pacer or PacerSettings()
        self.governor = governor or GovernorSettings()
        self.governor_state = GovernorState.starting(self.governor)
        self.ledger = AbandonLedger()
        self.govern_every_s = govern_every_s
        self._next_govern = 0.0
        self.braked_s = 0.0
        self.power_s = 0.0
        self.level_sum = 0.0
        self.ticks = 0
        self.max_overflow_allowed = self.governor_state.overflow_allowed

    def dials(self, floor: Floor) -> int:
        counts = self.ledger.counts(floor.at)
        if floor.now_s >= self._next_govern:
            self.governor_state = governed(self.governor_state, counts, self.governor)
            self._next_govern = floor.now_s + self.govern_every_s
            self.max_overflow_allowed = max(self.max_overflow_allowed, self.governor_state.overflow_allowed)
        elif not self.governor_state.braked and braking_rate(counts, self.governor) >= self.governor.brake_at:
            # The brake is checked on every pacing run, not only when the integral moves.
            self.governor_state = governed(self.governor_state, counts, self.governor)
        seats = SeatsNow(
            floor.ready, floor.talking_for_s, floor.wrapping_for_s, floor.ringing_ages_s, floor.dial_budget
        )
        decision = decide(
            seats,
            self.estimates,
            overflow_allowed=self.governor_state.overflow_allowed,
            braked=self.governor_state.braked,
            settings=self.pacer,
        )
        self.ticks += 1
        self.level_sum += decision.dial_level
        self.braked_s += self.governor_state.braked
        self.power_s += decision.mode is PacerMode.POWER
        return decision.dials

    def call_needed_seat(self, age_s: float) -> None:
        self.estimates.answers.record_need(age_s)

    def call_ended(self, age_s: float) -> None:
        self.estimates.answers.record_end(age_s)

    def talk_ended(self, talk_s: float) -> None:
        self.estimates.handling.record_talk(talk_s)

    def seat_freed(self, wrap_s: float) -> None:
        self.estimates.handling.record_wrap(wrap_s)

    def answered(self, at: datetime, *, abandoned: bool, turned_away: bool) -> None:
        self.ledger.answered(at, abandoned=abandoned, turned_away=turned_away)

    def state(self) -> str:
        ticks = max(1, self.ticks)
        return (
            f"braked {self.braked_s / ticks:.0%} of the shift, power {self.power_s / ticks:.0%}, "
            f"mean level {self.level_sum / ticks:.2f}"
        )


STRATEGY_NAMES = ("preview", "power", "ratio", "vicidial", "predictive")


def strategy(name: str, ring_timeout_s: float) -> Strategy:
    """A fresh strategy by its short name (each shift needs its own: they learn)."""
    if name == "preview":
        return Preview()
    if name == "power":
        return Power()
    if name == "ratio":
        return FixedRatio(2.0)
    if name == "vicidial":
        return VicidialAdaptive()
    if name == "predictive":
        return Predictive(ring_timeout_s)
    raise ValueError(f"unknown strategy {name!r}; expected one of {', '.join(STRATEGY_NAMES)}")
