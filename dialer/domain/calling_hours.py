"""When a campaign may ring voters: daily windows in UK time (Europe/London), weekdays and weekends apart.

The windows are wall-clock times in London, so they follow the clocks through BST and GMT: 08:00
means 08:00 on the kitchen clock of the person being called, whatever UTC says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialer.errors import InvalidInput

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Window:
    """One day's calling window, start inclusive and end exclusive."""

    start: time
    end: time

    def __str__(self) -> str:
        end = "24:00" if self.end == time.max else f"{self.end:%H:%M}"
        return f"{self.start:%H:%M}-{end}"


@dataclass(frozen=True)
class CallingHours:
    weekday: Window
    weekend: Window

    @classmethod
    def parse(
        cls, weekday_start: str, weekday_end: str, weekend_start: str, weekend_end: str
    ) -> CallingHours:
        """Build from "HH:MM" strings, refusing anything malformed or a window that ends before it starts."""
        return cls(
            _window("weekday", weekday_start, weekday_end), _window("weekend", weekend_start, weekend_end)
        )

    def window_on(self, day: datetime) -> Window:
        return self.weekend if day.astimezone(LONDON).weekday() >= 5 else self.weekday

    def is_open(self, at: datetime) -> bool:
        """True when `at` falls inside that London day's window."""
        local = at.astimezone(LONDON)
        window = self.window_on(local)
        return window.start <= local.time().replace(tzinfo=None) < window.end

    def next_opening(self, at: datetime) -> datetime:
        """The first instant at or after `at` when calls are allowed (in UTC)."""
        if self.is_open(at):
            return at
        local = at.astimezone(LONDON)
        for days_ahead in range(8):
            day = local.date() + timedelta(days=days_ahead)
            window = self.weekend if day.weekday() >= 5 else self.weekday
            opening = _london(day, window.start)
            if opening > at:
                return opening
        raise AssertionError("a week always contains an opening")  # pragma: no cover

    def closing_after(self, at: datetime) -> datetime:
        """When the window that `at` is in closes (meaningful only while open)."""
        local = at.astimezone(LONDON)
        return _london(local.date(), self.window_on(local).end)

    def describe(self) -> str:
        return f"weekdays {self.weekday}, weekends {self.weekend} (UK time)"


def london_day_start(at: datetime) -> datetime:
    """Midnight in London at the start of `at`'s London day, in UTC (for 'twice in a day' rules)."""
    local = at.astimezone(LONDON)
    return _london(local.date(), time(0, 0))


def next_london_day(at: datetime) -> datetime:
    local = at.astimezone(LONDON)
    return _london(local.date() + timedelta(days=1), time(0, 0))


def _london(day: date, clock_time: time) -> datetime:
    # fold=0 picks the first of an ambiguous autumn hour, and a non-existent spring time maps
    # forward: both harmless for windows that open after 02:00.
    return datetime.combine(day, clock_time, tzinfo=LONDON).astimezone(UTC)


def _window(name: str, start: str, end: str) -> Window:
    window = Window(_clock_time(name, "start", start), _clock_time(name, "end", end))
    if window.start >= window.end:
        raise InvalidInput(f"{name} calling hours must end after they start (got {start}-{end})")
    return window


def _clock_time(name: str, which: str, value: str) -> time:
    text = value.strip()
    hours, sep, minutes = text.partition(":")
    if not (
        sep
        and value.isascii()
        and hours.isdigit()
        and minutes.isdigit()
        and len(minutes) == 2
        and len(hours) <= 2
    ):
        raise InvalidInput(f"{name} {which} time must look like 09:00 (got {value!r})")
    if text == "24:00":
        return time.max
    hour, minute = int(hours), int(minutes)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"{name} {which} time {value!r} is not a time of day")
    return time(hour, minute)
