"""Calling hours are London wall-clock windows: they follow BST and GMT and end exclusively."""

from datetime import UTC, datetime

import pytest

from dialer.domain.calling_hours import LONDON, CallingHours, london_day_start
from dialer.errors import InvalidInput

DEFAULT = CallingHours.parse("08:00", "21:00", "09:00", "21:00")


def utc(year, month, day, hour=0, minute=0, second=0):
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (utc(2026, 11, 26, 7, 59, 59), False),  # Thursday, GMT: 07:59:59 in London
        (utc(2026, 11, 26, 8, 0), True),
        (utc(2026, 11, 26, 20, 59, 59), True),
        (utc(2026, 11, 26, 21, 0), False),  # the window's end is exclusive
        (utc(2026, 11, 28, 8, 30), False),  # Saturday: weekends open at 09:00
        (utc(2026, 11, 28, 9, 0), True),
        (utc(2026, 7, 1, 7, 30), True),  # Wednesday in BST: 08:30 in London
        (utc(2026, 7, 1, 20, 0), False),  # 21:00 BST
        (utc(2026, 7, 1, 6, 59), False),  # 07:59 BST
    ],
)
def test_a_voter_is_never_dialled_outside_calling_hours(moment, open_):
    assert DEFAULT.is_open(moment) is open_


def test_the_spring_clock_change_moves_the_window_in_utc():
    # Sunday 29 March 2026: clocks go forward at 01:00 GMT. 08:30 UTC is 09:30 BST: open.
    assert DEFAULT.is_open(utc(2026, 3, 29, 8, 30))
    # The Saturday before, 08:30 UTC is 08:30 GMT: still closed at the weekend.
    assert not DEFAULT.is_open(utc(2026, 3, 28, 8, 30))
    assert DEFAULT.next_opening(utc(2026, 3, 28, 21, 30)) == utc(2026, 3, 29, 8, 0)


def test_the_autumn_clock_change_moves_the_window_back():
    # Sunday 25 October 2026: clocks go back. 08:30 UTC is 08:30 GMT: closed at the weekend.
    assert not DEFAULT.is_open(utc(2026, 10, 25, 8, 30))
    assert DEFAULT.next_opening(utc(2026, 10, 24, 22, 0)) == utc(2026, 10, 25, 9, 0)


def test_the_next_opening_skips_to_the_next_day_and_is_now_when_open():
    friday_night = utc(2026, 11, 27, 21, 0)
    assert DEFAULT.next_opening(friday_night) == utc(2026, 11, 28, 9, 0)
    open_now = utc(2026, 11, 26, 12, 0)
    assert DEFAULT.next_opening(open_now) == open_now
    assert DEFAULT.closing_after(open_now) == utc(2026, 11, 26, 21, 0)


def test_the_london_day_starts_at_london_midnight():
    assert london_day_start(utc(2026, 7, 1, 23, 30)) == utc(2026, 7, 1, 23, 0)  # 00:30 BST on the 2nd
    assert london_day_start(utc(2026, 11, 26, 23, 30)) == utc(2026, 11, 26, 0, 0)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("9", "21:00", "must look like 09:00"),
        ("25:00", "26:00", "not a time of day"),
        ("21:00", "08:00", "must end after they start"),
        ("09:00", "09:00", "must end after they start"),
        ("nine", "21:00", "must look like"),
    ],
)
def test_malformed_hours_are_refused_with_a_clear_message(start, end, message):
    with pytest.raises(InvalidInput, match=message):
        CallingHours.parse(start, end, "09:00", "21:00")


def test_unicode_digits_in_a_calling_time_are_refused_with_the_format():
    import pytest

    from dialer.domain.calling_hours import CallingHours
    from dialer.errors import InvalidInput

    with pytest.raises(InvalidInput, match="must look like 09:00"):
        CallingHours.parse(
            weekday_start="0¹:00", weekday_end="21:00", weekend_start="09:00", weekend_end="21:00"
        )


def test_hours_open_all_day_read_as_typed():
    hours = CallingHours.parse("00:00", "24:00", "09:00", "21:00")
    assert hours.describe() == "weekdays 00:00-24:00, weekends 09:00-21:00 (UK time)"
    assert hours.is_open(datetime(2026, 11, 26, 23, 59, 59, tzinfo=LONDON))
