"""The seat board in Redis: each volunteer's seat state and each campaign's idle seats, longest idle first.

A copy of the SQL record, written only through `dialer.services.calling.seat_moves`. The states its
Lua scripts compare and write are arguments taken from the domain's named moves and groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import redis

from dialer.adapters import redis_keys as keys
from dialer.adapters.lua import load
from dialer.domain import seats
from dialer.domain.seats import SeatState
from dialer.ports import Seat

#: The domain's moves the scripts make on their own (a reservation, an answer's claim), as arguments.
_DIAL = (seats.DIAL.sources, seats.DIAL.target)
_CLAIM = (
    seats.ANSWERED.sources,
    seats.ANSWERED.target,
    seats.TAKEN_BY_ANSWER.sources,
    seats.TAKEN_BY_ANSWER.target,
)


class RedisSeatBoard:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection
        self._move = load(connection, "move_seat")
        self._reserve = load(connection, "reserve_seat")
        self._claim = load(connection, "claim_seat_for_answer")

    def put(self, seat: Seat, *, since: datetime) -> None:
        key = keys.seat(seat.session_id)
        with self._redis.pipeline(transaction=True) as pipe:
            _write(pipe, seat, since)
            if seat.state not in seats.LIVE_SEAT_STATES:
                pipe.delete(key)
                pipe.srem(keys.SEATS, str(seat.session_id))
            pipe.execute()

    def get(self, session_id: int) -> Seat | None:
        return _seat(self._redis.hgetall(keys.seat(session_id)))

    def get_many(self, session_ids: Sequence[int]) -> dict[int, Seat | None]:
        with self._redis.pipeline(transaction=False) as pipe:
            for session_id in session_ids:
                pipe.hgetall(keys.seat(session_id))
            replies = pipe.execute()
        return {session_id: _seat(raw) for session_id, raw in zip(session_ids, replies, strict=True)}

    def move(
        self,
        session_id: int,
        allowed_from: frozenset[SeatState],
        to: SeatState,
        *,
        now: datetime,
        call_id: int | None = None,
        busy_with: int | None = None,
    ) -> Seat | None:
        call = "-" if to in seats.CALL_FREE else ("" if call_id is None else str(call_id))
        reply = self._move(
            keys=[keys.seat(session_id), keys.SEATS],
            args=[
                _listed(allowed_from),
                to.value,
                now.timestamp(),
                call,
                keys.IDLE_PREFIX,
                "" if busy_with is None else str(busy_with),
                "1" if to in seats.IDLE else "0",
                "0" if to in seats.LIVE_SEAT_STATES else "1",
            ],
        )
        return _seat(_pairs(reply)) if reply else None

    def reserve_idle(self, campaign_id: int, *, now: datetime) -> Seat | None:
        sources, target = _DIAL
        reply = self._reserve(
            keys=[keys.idle(campaign_id)],
            args=[now.timestamp(), keys.SEAT_PREFIX, _listed(sources), target.value],
        )
        return _seat(_pairs(reply)) if reply else None

    def attach_call(self, session_id: int, call_id: int) -> None:
        self._redis.hset(keys.seat(session_id), "call", str(call_id))

    def claim_for_answer(
        self,
        campaign_id: int,
        call_id: int,
        reserved_session: int | None,
        *,
        now: datetime,
        any_idle_seat: bool,
    ) -> Seat | None:
        reserved_from, reserved_to, idle_from, idle_to = _CLAIM
        reply = self._claim(
            keys=[keys.idle(campaign_id)],
            args=[
                call_id,
                "" if reserved_session is None else reserved_session,
                now.timestamp(),
                keys.SEAT_PREFIX,
                "1" if any_idle_seat else "0",
                _listed(reserved_from),
                reserved_to.value,
                _listed(idle_from),
                idle_to.value,
            ],
        )
        return _seat(_pairs(reply)) if reply else None

    def idle_seats(self, campaign_id: int) -> int:
        return int(self._redis.zcard(keys.idle(campaign_id)))

    def campaigns_with_idle_seats(self) -> list[int]:
        campaigns = sorted(int(_text(cid)) for cid in self._redis.smembers(keys.SEAT_CAMPAIGNS))
        return [cid for cid in campaigns if self.idle_seats(cid)]

    def rebuild(self, seats: list[tuple[Seat, datetime]]) -> None:
        """Replace the board with `seats` (live sessions from SQL), in one transaction."""
        old_ids = [_text(sid) for sid in self._redis.smembers(keys.SEATS)]
        old_campaigns = [_text(cid) for cid in self._redis.smembers(keys.SEAT_CAMPAIGNS)]
        with self._redis.pipeline(transaction=True) as pipe:
            for sid in old_ids:
                pipe.delete(keys.seat(sid))
            for cid in {*old_campaigns, *(str(seat.campaign_id) for seat, _ in seats)}:
                pipe.delete(keys.idle(cid))
            pipe.delete(keys.SEATS, keys.SEAT_CAMPAIGNS)
            for seat, since in seats:
                _write(pipe, seat, since)
            pipe.execute()


def _write(pipe: redis.client.Pipeline, seat: Seat, since: datetime) -> None:
    key = keys.seat(seat.session_id)
    pipe.delete(key)
    fields = {
        "session": str(seat.session_id),
        "campaign": str(seat.campaign_id),
        "user": str(seat.user_id),
        "state": seat.state.value,
        "conference": seat.conference,
        "since": str(since.timestamp()),
    }
    if seat.call_id is not None:
        fields["call"] = str(seat.call_id)
    pipe.hset(key, mapping=fields)  # type: ignore[arg-type]
    pipe.sadd(keys.SEATS, str(seat.session_id))
    pipe.sadd(keys.SEAT_CAMPAIGNS, str(seat.campaign_id))
    if seat.state in seats.IDLE:
        pipe.zadd(keys.idle(seat.campaign_id), {str(seat.session_id): since.timestamp()})
    else:
        pipe.zrem(keys.idle(seat.campaign_id), str(seat.session_id))


def _listed(states: frozenset[SeatState]) -> str:
    """States as a script compares them: ",a,b," (a plain find of ",state,")."""
    return "," + ",".join(sorted(state.value for state in states)) + ","


def _pairs(flat: Sequence[bytes | str]) -> dict[bytes | str, bytes | str]:
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


def _seat(fields: dict[bytes | str, bytes | str]) -> Seat | None:
    if not fields:
        return None
    values = {_text(key): _text(value) for key, value in fields.items()}
    return Seat(
        session_id=int(values["session"]),
        campaign_id=int(values["campaign"]),
        user_id=int(values["user"]),
        state=SeatState(values["state"]),
        conference=values["conference"],
        call_id=int(values["call"]) if values.get("call") else None,
        since=datetime.fromtimestamp(float(values["since"]), UTC) if values.get("since") else None,
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
