"""Each campaign's live figures as one Redis hash, counted once per fact with a Lua script.

`marginal:tally:<campaign>` holds `scope|metric` -> count plus `_version` (moved on by every count
and every rebuild) and `_built` (set by a rebuild from SQL). A fact's marker
(`marginal:tally:fact:<campaign>:<fact>`) lives for two days: long enough for any repeated
callback or retried job, short enough that markers do not pile up.

A rebuild holds `marginal:tally:rebuild:<campaign>` (one rebuild at a time: two overlapping ones
could each throw away what the other counted) and, while it reads SQL, every fact counted live is
also written to `marginal:tally:journal:<campaign>`; the replace keeps the journal's facts that the
recount, read too early, does not hold.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping, Sequence

import redis
from redis.exceptions import LockError

from dialer.adapters.lua import load
from dialer.ports import Counted, Recount, TallyReading

PREFIX = "marginal:tally:"
FACT_TTL_S = 2 * 24 * 3600
#: How long one rebuild may take (its lock then lapses), and how long another waits for it.
REBUILD_TTL_S = 120
_META = frozenset({"_version", "_built"})
_MARK_BATCH = 1000


class RebuildTookTooLong(RuntimeError):
    """A rebuild's lock lapsed before its recount was in place (nothing was replaced)."""


def figures_key(campaign_id: int) -> str:
    return f"{PREFIX}{campaign_id}"


def fact_key(campaign_id: int, fact: str) -> str:
    return f"{PREFIX}fact:{campaign_id}:{fact}"


def rebuild_key(campaign_id: int) -> str:
    return f"{PREFIX}rebuild:{campaign_id}"


def journal_key(campaign_id: int) -> str:
    return f"{PREFIX}journal:{campaign_id}"


class RedisTally:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection
        self._add = load(connection, "tally_add")
        self._replace = load(connection, "tally_replace")

    def add(self, campaign_id: int, facts: Sequence[tuple[str, Mapping[str, int]]]) -> Counted:
        if not facts:
            return Counted(None, [])
        keys = [figures_key(campaign_id), rebuild_key(campaign_id), journal_key(campaign_id)]
        args: list[str | int] = [FACT_TTL_S]
        for fact, increments in facts:
            keys.append(fact_key(campaign_id, fact))
            args.append(len(increments))
            for name, amount in increments.items():
                args += [name, amount]
        version, *fresh = self._add(keys=keys, args=args)
        return Counted(int(version) or None, [bool(flag) for flag in fresh])

    def read(self, campaign_id: int) -> TallyReading:
        raw = self._redis.hgetall(figures_key(campaign_id))
        values = {_text(name): int(value) for name, value in raw.items()}
        figures = {name: value for name, value in values.items() if name not in _META and value}
        return TallyReading(values.get("_version", 0), figures, bool(values.get("_built")))

    def rebuild(self, campaign_id: int, recount: Callable[[], Recount]) -> int:
        lock = self._redis.lock(
            rebuild_key(campaign_id), timeout=REBUILD_TTL_S, sleep=0.05, blocking_timeout=REBUILD_TTL_S
        )
        if not lock.acquire():
            raise RebuildTookTooLong(f"campaign {campaign_id}'s figures were being rebuilt for too long")
        token = lock.local.token
        try:
            result = recount()
            self._mark(campaign_id, result.counted)
            # Facts counted from here on found their marker set if the recount holds them, so only
            # the entries written so far need looking at.
            journal = self._redis.lrange(journal_key(campaign_id), 0, -1)
            held = {fact_key(campaign_id, fact) for fact in result.counted}
            positions = [n for n, raw in enumerate(journal, start=1) if json.loads(raw)[0] in held]
            args: list[str | int | bytes] = [token, len(journal), len(positions), *positions]
            for name, value in result.figures.items():
                if value:
                    args += [name, value]
            version = int(
                self._replace(
                    keys=[figures_key(campaign_id), rebuild_key(campaign_id), journal_key(campaign_id)],
                    args=args,
                )
            )
        except BaseException:
            with contextlib.suppress(LockError):  # it lapsed, or the replace ran and released it
                lock.release()
            raise
        if version < 0:
            raise RebuildTookTooLong(f"campaign {campaign_id}'s recount took over {REBUILD_TTL_S} s")
        return version

    def _mark(self, campaign_id: int, facts: Sequence[str]) -> None:
        """Mark the recount's facts counted (counting any of them later changes nothing)."""
        for start in range(0, len(facts), _MARK_BATCH):
            pipe = self._redis.pipeline(transaction=False)
            for fact in facts[start : start + _MARK_BATCH]:
                pipe.set(fact_key(campaign_id, fact), 1, ex=FACT_TTL_S)
            pipe.execute()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
