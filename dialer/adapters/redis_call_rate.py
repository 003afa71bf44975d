"""The account's calls-per-second budget as a token bucket in Redis, shared by every worker process."""

from __future__ import annotations

from datetime import datetime

import redis

from dialer.adapters import redis_keys as keys
from dialer.adapters.lua import load

#: The shortest wait handed out. Float error in the bucket (timestamps near 1.8e9 s resolve about
#: 0.2 us) can leave a wait of a fraction of a microsecond; a job re-enqueued after that would run
#: again at the same instant on a simulated clock, forever.
MIN_WAIT_S = 0.001


class RedisCallRate:
    def __init__(self, connection: redis.Redis, *, per_second: float, burst: float | None = None) -> None:
        if per_second <= 0:
            raise ValueError("calls per second must be positive")
        self._take = load(connection, "take_call_token")
        self.per_second = per_second
        self.burst = burst if burst is not None else max(1.0, per_second)

    def take(self, *, now: datetime) -> float:
        reply = self._take(keys=[keys.CALL_RATE], args=[self.per_second, self.burst, now.timestamp()])
        wait = float(reply.decode() if isinstance(reply, bytes) else reply)
        return max(wait, MIN_WAIT_S) if wait > 0 else 0.0
