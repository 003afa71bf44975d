"""Time, injected: the wall clock, a sped-up clock for demos, and a simulated clock tests advance.

This module is neutral ground: the product and the telephony simulator both use it (and nothing
else from each other), so a single simulated clock can drive a whole shift deterministically.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What every time-dependent component asks of time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for measuring intervals)."""
        ...


class SystemClock:
    """Real time."""

    speed = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class ScaledClock:
    """Real time running `speed` times faster from the moment it is made (demos and load runs)."""

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._origin_wall = start or datetime.now(UTC)
        self._origin_mono = time.monotonic()

    def monotonic(self) -> float:
        return self._origin_mono + (time.monotonic() - self._origin_mono) * self.speed

    def now(self) -> datetime:
        return self._origin_wall + timedelta(seconds=self.monotonic() - self._origin_mono)


@dataclass(order=True)
class _Scheduled:
    due: float
    seq: int
    action: Callable[[], object] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Timer:
    """A handle for a scheduled action; cancel() stops it if it has not run yet."""

    def __init__(self, entry: _Scheduled) -> None:
        self._entry = entry

    def cancel(self) -> None:
        self._entry.cancelled = True

    @property
    def due(self) -> float:
        return self._entry.due


class Scheduler(Protocol):
    """Runs an action once, `delay` clock-seconds from now (a simulated or a real clock)."""

    def call_later(self, delay: float, action: Callable[[], object]) -> Timer: ...


class SimClock:
    """Simulated time: nothing moves until a test calls advance(), which runs due actions in order.

    Actions scheduled for the same instant run in the order they were scheduled, so a run is
    reproducible from its inputs alone.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
        self._elapsed = 0.0
        self._queue: list[_Scheduled] = []
        self._seq = itertools.count()
        self._lock = threading.RLock()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._elapsed

    def call_later(self, delay: float, action: Callable[[], object]) -> Timer:
        return self.call_at(self._elapsed + max(0.0, delay), action)

    def call_at(self, due: float, action: Callable[[], object]) -> Timer:
        entry = _Scheduled(max(due, self._elapsed), next(self._seq), action)
        with self._lock:
            heapq.heappush(self._queue, entry)
        return Timer(entry)

    def next_due(self) -> float | None:
        with self._lock:
            while self._queue and self._queue[0].cancelled:
                heapq.heappop(self._queue)
            return self._queue[0].due if self._queue else None

    def advance(self, seconds: float) -> int:
        """Move time forward, running every action that falls due on the way; returns how many ran."""
        return self.run_until(self._elapsed + seconds)

    def run_until(self, target: float) -> int:
        ran = 0
        while True:
            with self._lock:
                if not self._queue or self._queue[0].due > target:
                    break
                entry = heapq.heappop(self._queue)
            if entry.cancelled:
                continue
            self._elapsed = max(self._elapsed, entry.due)
            entry.action()
            ran += 1
        self._elapsed = max(self._elapsed, target)
        return ran

    def run_until_idle(self, limit: float = 86_400.0) -> int:
        """Run everything scheduled (including what actions schedule) up to `limit` seconds ahead."""
        deadline = self._elapsed + limit
        ran = 0
        while (due := self.next_due()) is not None and due <= deadline:
            ran += self.run_until(due)
        return ran


logger = logging.getLogger(__name__)


class RealTimeScheduler:
    """Runs actions when they fall due on a real (or sped-up) clock, in order, on one background thread.

    The real-time counterpart of SimClock.call_later: delays are in the clock's seconds, so on a
    ScaledClock at speed 10 an action due in 10 s runs after one real second. An action that raises
    is logged and the scheduler carries on.
    """

    def __init__(self, clock: SystemClock | ScaledClock, name: str = "scheduler") -> None:
        self.clock = clock
        self._speed = clock.speed
        self._queue: list[_Scheduled] = []
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def now(self) -> datetime:
        return self.clock.now()

    def monotonic(self) -> float:
        return self.clock.monotonic()

    def call_later(self, delay: float, action: Callable[[], object]) -> Timer:
        entry = _Scheduled(self.clock.monotonic() + max(0.0, delay), next(self._seq), action)
        with self._wake:
            heapq.heappush(self._queue, entry)
            if self._queue[0] is entry:
                self._wake.notify()
        return Timer(entry)

    def start(self) -> RealTimeScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _next_due(self) -> _Scheduled | None:
        """The next action to run now, waiting for it; None once stopped."""
        with self._wake:
            while not self._stopped:
                if not self._queue:
                    self._wake.wait()
                    continue
                head = self._queue[0]
                if head.cancelled:
                    heapq.heappop(self._queue)
                    continue
                wait = (head.due - self.clock.monotonic()) / self._speed
                if wait <= 0:
                    return heapq.heappop(self._queue)
                self._wake.wait(wait)
            return None

    def _run(self) -> None:
        while (entry := self._next_due()) is not None:
            try:
                entry.action()
            except Exception:
                logger.exception("a scheduled action failed")
