"""The rehearsal's referee is not easily satisfied: it flags calls outside hours and overlapping calls."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.rehearsal.referee import (
    SimCall,
    Verdict,
    _calling_hours,
    _one_call_at_a_time,
    in_calling_hours,
    next_opening,
)
from tests.rehearsal.world import london

NUMBER = "+447700900123"


def test_calling_hours_are_uk_time_with_later_weekend_mornings():
    assert in_calling_hours(london(5, 20, 59)) and not in_calling_hours(london(5, 21, 0))  # Friday
    assert not in_calling_hours(london(6, 8, 59)) and in_calling_hours(london(6, 9, 0))  # Saturday
    assert in_calling_hours(london(8, 8, 0)) and not in_calling_hours(london(8, 7, 59))  # Monday
    assert next_opening(london(5, 21, 0)) == london(6, 9, 0)


def call(sid: str, created: datetime, seconds: float, dialled: datetime | None = None) -> SimCall:
    return SimCall(
        sid, NUMBER, created, dialled=dialled or created, ended=created + timedelta(seconds=seconds)
    )


def test_a_call_requested_in_hours_but_dialled_after_the_close_is_flagged():
    verdict = Verdict()
    late = call("CA2", london(5, 20, 59, 59), 30, dialled=london(5, 21, 0) + timedelta(seconds=1))
    _calling_hours(verdict, [call("CA1", london(5, 20, 0), 30), late], [])
    assert len(verdict.violations["hours"]) == 1 and "dialled" in verdict.violations["hours"][0]


def test_two_calls_to_one_number_at_once_are_flagged():
    verdict = Verdict()
    first = call("CA1", london(5, 20, 0), 60)
    _one_call_at_a_time(verdict, {NUMBER: [first, call("CA2", london(5, 20, 0) + timedelta(seconds=59), 5)]})
    assert verdict.violations["overlap"] == [f"{NUMBER}: CA2 began before CA1 ended"]
    _one_call_at_a_time(clean := Verdict(), {NUMBER: [first, call("CA3", london(5, 20, 1), 5)]})
    assert not clean.violations
