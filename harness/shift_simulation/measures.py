"""What a shift amounted to: the figures the benchmark compares strategies on.

Abandon rates are Ofcom's, from the truth the model knows: abandoned people (no volunteer free,
plus people detection wrongly turned away as machines) over people who answered.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass

from harness.shift_simulation.shift import ShiftResult


@dataclass(frozen=True)
class ShiftFigures:
    dials: int
    answer_rate: float  # people who answered / dials
    abandon_rate: float  # the shift's (the day's) rate
    worst_hour_abandon_rate: float  # the worst rolling hour
    occupancy: float  # talk time / logged-in time
    mean_wait_s: float  # between conversations
    p90_wait_s: float
    conversations_per_hour: float  # per volunteer


def figures_of(result: ShiftResult) -> ShiftFigures:
    people = [call for call in result.calls if call.kind == "answer" and call.answered_s is not None]
    # A person turned away by detection was never put through: abandoned, silently.
    abandons = sorted((call.answered_s or 0.0) for call in people if call.abandoned or call.turned_away)
    answers = sorted(call.answered_s or 0.0 for call in people)
    waits = sorted(result.waits_s)
    hours = result.plan.hours
    return ShiftFigures(
        dials=len(result.calls),
        answer_rate=len(people) / len(result.calls) if result.calls else 0.0,
        abandon_rate=len(abandons) / len(answers) if answers else 0.0,
        worst_hour_abandon_rate=_worst_hour(answers, abandons, hours * 3600),
        occupancy=result.talk_s / result.logged_in_s,
        mean_wait_s=statistics.fmean(waits) if waits else 0.0,
        p90_wait_s=waits[int(0.9 * (len(waits) - 1))] if waits else 0.0,
        conversations_per_hour=result.conversations / (result.plan.volunteers * hours),
    )


def _worst_hour(answers: list[float], abandons: list[float], length_s: float) -> float:
    """The highest abandon rate over any hour of the shift (checked each minute; the whole shift if shorter)."""
    window = min(3600.0, length_s)
    worst = 0.0
    end = window
    while end <= length_s + 1e-9:
        live = bisect.bisect_right(answers, end) - bisect.bisect_right(answers, end - window)
        dropped = bisect.bisect_right(abandons, end) - bisect.bisect_right(abandons, end - window)
        if live:
            worst = max(worst, dropped / live)
        end += 60.0
    return worst
