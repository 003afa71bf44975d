"""The per-campaign call queues in Redis: voters waiting, numbers held in calls, numbers dialled today."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

import redis

from dialer.adapters import redis_keys as keys
from dialer.adapters.lua import load
from dialer.ports import Claimed, QueuedVoter, QueueSnapshot

#: How many due voters one claim looks at before giving up (numbers busy elsewhere are skipped).
SCAN = 50
#: A voter whose number is in another campaign's call is looked at again this many seconds later.
BUSY_ELSEWHERE_STEP_S = 30
#: "Dialled today" is kept a little over a day so the London day boundary is never early.
DAY_TTL_S = 2 * 86_400


class RedisCallQueue:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection
        self._claim = load(connection, "claim_voter")
        self._release = load(connection, "release_number")
        self._mark = load(connection, "mark_dialled")

    def add(self, campaign_id: int, voter: QueuedVoter) -> None:
        target, other = (
            (keys.call_backs(campaign_id), keys.queue(campaign_id))
            if voter.call_back
            else (keys.queue(campaign_id), keys.call_backs(campaign_id))
        )
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.phones(campaign_id), str(voter.voter_id), voter.phone)
            pipe.zrem(other, str(voter.voter_id))
            pipe.zadd(target, {str(voter.voter_id): voter.due.timestamp()})
            pipe.sadd(keys.QUEUED_CAMPAIGNS, str(campaign_id))
            pipe.execute()

    def remove(self, campaign_id: int, voter_id: int) -> None:
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(keys.queue(campaign_id), str(voter_id))
            pipe.zrem(keys.call_backs(campaign_id), str(voter_id))
            pipe.execute()

    def claim(self, campaign_id: int, *, now: datetime, day: str, next_day: datetime) -> Claimed | None:
        reply = self._claim(
            keys=[
                keys.call_backs(campaign_id),
                keys.queue(campaign_id),
                keys.phones(campaign_id),
                keys.SUPPRESSED,
                keys.IN_CALL,
                keys.dialled(day),
            ],
            args=[now.timestamp(), campaign_id, next_day.timestamp(), SCAN, BUSY_ELSEWHERE_STEP_S],
        )
        if not reply:
            return None
        voter, phone, token = (_text(part) for part in reply)
        return Claimed(int(voter), phone, token)

    def release(self, phone: str, token: str) -> None:
        self._release(keys=[keys.IN_CALL], args=[phone, token])

    def mark_dialled(self, phone: str, campaign_id: int, *, day: str) -> bool:
        return bool(self._mark(keys=[keys.dialled(day)], args=[phone, campaign_id, DAY_TTL_S]))

    def suppress(self, phone: str) -> None:
        self._redis.sadd(keys.SUPPRESSED, phone)

    def forget(self, phones: Collection[str], voters: Collection[tuple[int, int]]) -> None:
        days = list(self._redis.scan_iter(match=keys.dialled("*"), count=100))
        with self._redis.pipeline(transaction=True) as pipe:
            for campaign_id, voter_id in voters:
                pipe.hdel(keys.phones(campaign_id), str(voter_id))
                pipe.zrem(keys.queue(campaign_id), str(voter_id))
                pipe.zrem(keys.call_backs(campaign_id), str(voter_id))
            if phones:
                pipe.srem(keys.SUPPRESSED, *phones)
                pipe.hdel(keys.IN_CALL, *phones)
                for day in days:
                    pipe.hdel(day, *phones)
            pipe.execute()

    def waiting(self, campaign_id: int) -> int:
        with self._redis.pipeline(transaction=False) as pipe:
            pipe.zcard(keys.queue(campaign_id))
            pipe.zcard(keys.call_backs(campaign_id))
            return sum(int(count) for count in pipe.execute())

    def next_due(self, campaign_id: int) -> datetime | None:
        firsts = []
        for key in (keys.call_backs(campaign_id), keys.queue(campaign_id)):
            first = self._redis.zrange(key, 0, 0, withscores=True)
            if first:
                firsts.append(float(first[0][1]))
        return datetime.fromtimestamp(min(firsts), UTC) if firsts else None

    def holder(self, phone: str) -> str | None:
        """Who holds a number right now (for tests and diagnostics)."""
        value = self._redis.hget(keys.IN_CALL, phone)
        return None if value is None else _text(value)

    def load(self, campaign_id: int, voters: list[QueuedVoter]) -> None:
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(keys.queue(campaign_id), keys.call_backs(campaign_id), keys.phones(campaign_id))
            _write_campaign(pipe, campaign_id, voters)
            pipe.execute()

    def is_built(self) -> bool:
        return bool(self._redis.exists(keys.BUILT))

    def rebuild(self, snapshot: QueueSnapshot) -> None:
        """Replace everything with `snapshot`, in one transaction (readers see old or new, never half)."""
        stale = {int(_text(cid)) for cid in self._redis.smembers(keys.QUEUED_CAMPAIGNS)}
        with self._redis.pipeline(transaction=True) as pipe:
            for campaign_id in stale | set(snapshot.queued):
                pipe.delete(keys.queue(campaign_id), keys.call_backs(campaign_id), keys.phones(campaign_id))
            pipe.delete(
                keys.QUEUED_CAMPAIGNS, keys.SUPPRESSED, keys.IN_CALL, keys.dialled(snapshot.day), keys.BUILT
            )
            for campaign_id, voters in snapshot.queued.items():
                _write_campaign(pipe, campaign_id, voters)
            if snapshot.suppressed:
                pipe.sadd(keys.SUPPRESSED, *snapshot.suppressed)
            if snapshot.in_calls:
                pipe.hset(keys.IN_CALL, mapping=snapshot.in_calls)  # type: ignore[arg-type]
            if snapshot.dialled_today:
                pipe.hset(
                    keys.dialled(snapshot.day),
                    mapping={p: str(c) for p, c in snapshot.dialled_today.items()},
                )
                pipe.expire(keys.dialled(snapshot.day), DAY_TTL_S)
            pipe.set(keys.BUILT, snapshot.day)
            pipe.execute()


def _write_campaign(pipe: redis.client.Pipeline, campaign_id: int, voters: list[QueuedVoter]) -> None:
    pipe.sadd(keys.QUEUED_CAMPAIGNS, str(campaign_id))
    queue = {str(v.voter_id): v.due.timestamp() for v in voters if not v.call_back}
    call_backs = {str(v.voter_id): v.due.timestamp() for v in voters if v.call_back}
    if voters:
        pipe.hset(keys.phones(campaign_id), mapping={str(v.voter_id): v.phone for v in voters})
    if queue:
        pipe.zadd(keys.queue(campaign_id), queue)
    if call_backs:
        pipe.zadd(keys.call_backs(campaign_id), call_backs)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
