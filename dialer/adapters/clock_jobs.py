"""Background jobs run in this process on the injected clock: the whole dialer on one simulated timeline.

With a SimClock a job enqueued now runs at the clock's next step and a job enqueued `at` a moment
runs when the clock reaches it, so a shift of many volunteers replays exactly from its inputs.
Jobs are named by dotted path, as with RQ, and resolved only when they run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dialer.clock import SimClock, Timer


class ClockJobQueue:
    def __init__(self, clock: SimClock) -> None:
        self._clock = clock
        self._pending: dict[str, Timer] = {}
        self.ran: list[tuple[str, tuple[Any, ...]]] = []

    def enqueue(self, job: str, *args: Any, at: datetime | None = None, job_id: str | None = None) -> None:
        delay = 0.0 if at is None else max(0.0, (at - self._clock.now()).total_seconds())
        if job_id is not None and (earlier := self._pending.pop(job_id, None)) is not None:
            earlier.cancel()

        def run() -> None:
            if job_id is not None:
                self._pending.pop(job_id, None)
            self.ran.append((job, args))
            resolve(job)(*args)

        timer = self._clock.call_later(delay, run)
        if job_id is not None:
            self._pending[job_id] = timer


def resolve(dotted: str) -> Callable[..., Any]:
    module, _, name = dotted.rpartition(".")
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function
