"""Moving a volunteer's seat between states: atomically on the seat board, then in the SQL record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dialer.domain.seats import SeatState, can_move
from dialer.models import CallingSession
from dialer.ports import Seat
from dialer.services.phone_bank import PhoneBank

#: States in which a seat is not busy with any call.
CALL_FREE = frozenset({SeatState.CONNECTING, SeatState.READY, SeatState.PAUSED, SeatState.ENDED})


def change_seat(
    bank: PhoneBank,
    seat: CallingSession,
    allowed_from: Iterable[SeatState],
    to: SeatState,
    *,
    now: datetime,
    call_id: int | None = None,
    busy_with: int | None = None,
) -> bool:
    """Move the seat if its current state (and call, with `busy_with`) allows; the caller commits.

    Returns False, changing nothing, when the board says the move is stale (the seat has moved on),
    or when the seat's volunteer is away and the move is not one a held seat may make.
    """
    assert seat.id is not None
    sources = frozenset(allowed_from)
    if seat.away_since is not None:
        sources = frozenset(state for state in sources if can_move(state, to, away=True))
        if not sources:
            return False
    moved = bank.seats.move(seat.id, sources, to, now=now, call_id=call_id, busy_with=busy_with)
    if moved is None:
        return False
    record_seat(seat, to, now=now, call_id=call_id)
    return True


def after_call(seat: CallingSession) -> SeatState:
    """Where a seat goes when its call is over: paused if its volunteer asked for that, else ready."""
    return SeatState.PAUSED if seat.pause_after_call else SeatState.READY


def record_seat(seat: CallingSession, to: SeatState, *, now: datetime, call_id: int | None = None) -> None:
    seat.state = to
    seat.state_changed_at = now
    if to in (SeatState.PAUSED, SeatState.ENDED):
        seat.pause_after_call = False
    if to in CALL_FREE:
        seat.current_call_id = None
    elif call_id is not None:
        seat.current_call_id = call_id
    if to is SeatState.ENDED:
        seat.ended_at = now
        seat.preview_voter_id = None
        seat.away_since = None


def board_seat(seat: CallingSession) -> Seat:
    assert seat.id is not None
    return Seat(
        session_id=seat.id,
        campaign_id=seat.campaign_id,
        user_id=seat.user_id,
        state=seat.state,
        conference=seat.conference_name,
        call_id=seat.current_call_id,
    )
