"""Opens of sharers' links counted in Redis: one HINCRBY per open on `marginal:cascade:opens`
(field `<link id>:<hour>`), and each link's destination remembered for a day in Redis and, since a
link never changes where it leads, in this process too: an open of a known link is one round trip."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

import redis

OPENS_KEY = "marginal:cascade:opens"
FLUSH_LOCK_KEY = "marginal:cascade:opens:flushing"
PATH_PREFIX = "marginal:cascade:link:"
PATH_TTL_S = 24 * 3600
#: A flush that takes longer than this lets the next one start.
FLUSH_TTL_S = 60
#: Links remembered in this process before it starts again from empty.
KNOWN_MAX = 100_000
#: Take counts off, dropping the fields that reach zero (the hash holds only what SQL lacks).
_TAKE = """
for i = 1, #ARGV, 2 do
  if redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1])) <= 0 then
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
"""


class RedisShareOpens:
    @classmethod
    def from_url(cls, url: str, *, connections: int = 64) -> RedisShareOpens:
        """Opens on a pool of their own that makes a burst wait its turn for a connection (the
        default pool refuses the 101st at once, and a polling-day burst is many more)."""
        pool = redis.BlockingConnectionPool.from_url(url, max_connections=connections, timeout=10)
        return cls(redis.Redis(connection_pool=pool))

    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection
        self._known: dict[str, tuple[int, str]] = {}
        self._take = connection.register_script(_TAKE)

    def close(self) -> None:
        self._redis.close()
        self._redis.connection_pool.disconnect()

    def count(self, link_id: int, hour: int) -> None:
        self._redis.hincrby(OPENS_KEY, f"{link_id}:{hour}", 1)

    def pending(self) -> dict[tuple[int, int], int]:
        counts: dict[tuple[int, int], int] = {}
        for field, value in self._redis.hgetall(OPENS_KEY).items():
            link_id, hour = _text(field).split(":")
            if int(value) > 0:
                counts[int(link_id), int(hour)] = int(value)
        return counts

    def taken(self, counts: Mapping[tuple[int, int], int]) -> None:
        args: list[str | int] = []
        for (link_id, hour), count in counts.items():
            args += [f"{link_id}:{hour}", count]
        if args:
            self._take(keys=[OPENS_KEY], args=args)

    @contextlib.contextmanager
    def flushing(self) -> Iterator[bool]:
        held = bool(self._redis.set(FLUSH_LOCK_KEY, "1", nx=True, ex=FLUSH_TTL_S))
        try:
            yield held
        finally:
            if held:
                self._redis.delete(FLUSH_LOCK_KEY)

    def remember(self, code: str, link_id: int, path: str) -> None:
        self._redis.set(PATH_PREFIX + code, f"{link_id} {path}", ex=PATH_TTL_S)
        self._keep(code, (link_id, path))

    def recall(self, code: str) -> tuple[int, str] | None:
        known = self._known.get(code)
        if known is not None:
            return known
        found = self._redis.get(PATH_PREFIX + code)
        if found is None:
            return None
        link_id, _, path = _text(found).partition(" ")
        self._keep(code, (int(link_id), path))
        return int(link_id), path

    def _keep(self, code: str, where: tuple[int, str]) -> None:
        if len(self._known) >= KNOWN_MAX:
            self._known.clear()
        self._known[code] = where


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
