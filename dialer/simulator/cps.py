"""The account's calls-per-second limit: API-created calls beyond it wait in a queue, as on Twilio.

Twilio queues (rather than rejects) calls created faster than the account's CPS (default 1) and
reports how long each waited as `queue_time`. Slots are handed out in creation order, one every
1/CPS seconds; nothing is scanned, so a burst of thousands costs the same per call as one.
"""

from __future__ import annotations


class CpsQueue:
    def __init__(self, calls_per_second: float = 1.0) -> None:
        self.set_rate(calls_per_second)
        self._next_slot = float("-inf")

    def set_rate(self, calls_per_second: float) -> None:
        if calls_per_second <= 0:
            raise ValueError("calls per second must be positive")
        self.calls_per_second = calls_per_second
        self._interval = 1.0 / calls_per_second

    def reserve(self, now: float) -> float:
        """The clock time at which a call created at `now` may start dialling."""
        slot = max(now, self._next_slot)
        self._next_slot = slot + self._interval
        return slot

    def reset(self) -> None:
        self._next_slot = float("-inf")
