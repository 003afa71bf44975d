"""Each campaign's live figures as one Redis hash, counted once per fact with a Lua script.

`marginal:tally:<campaign>` holds `scope|metric` -> count plus `_version` (moved on by every count
and every rebuild) and `_built` (set by a rebuild from SQL). A fact's marker
(`marginal:tally:fact:<campaign>:<fact>`) lives for two days: long enough for any repeated
callback or retried job, short enough that markers do not pile up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import redis

from dialer.adapters.lua import load
from dialer.ports import Counted, TallyReading

PREFIX = "marginal:tally:"
FACT_TTL_S = 2 * 24 * 3600
_META = frozenset({"_version", "_built"})
_MARK_BATCH = 1000


def figures_key(campaign_id: int) -> str:
    return f"{PREFIX}{campaign_id}"


def fact_key(campaign_id: int, fact: str) -> str:
    return f"{PREFIX}fact:{campaign_id}:{fact}"


class RedisTally:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection
        self._add = load(connection, "tally_add")
        self._replace = load(connection, "tally_replace")

    def add(self, campaign_id: int, facts: Sequence[tuple[str, Mapping[str, int]]]) -> Counted:
        if not facts:
            return Counted(None, [])
        keys = [figures_key(campaign_id)]
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

    def replace(self, campaign_id: int, figures: Mapping[str, int], counted: Sequence[str] = ()) -> int:
        # Marked before the figures are replaced: a fact counted in between is skipped, and the
        # recount that replaces the figures holds it.
        for start in range(0, len(counted), _MARK_BATCH):
            pipe = self._redis.pipeline(transaction=False)
            for fact in counted[start : start + _MARK_BATCH]:
                pipe.set(fact_key(campaign_id, fact), 1, ex=FACT_TTL_S)
            pipe.execute()
        args: list[str | int] = []
        for name, value in figures.items():
            if value:
                args += [name, value]
        return int(self._replace(keys=[figures_key(campaign_id)], args=args))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
