"""The one module that applies a calling seat's moves, named in `dialer.domain.seats`.

A move is a compare-and-set: on the seat board first (Redis, where racing moves are decided: the
answer webhook claims seats there), then in the SQL record, which the caller commits. The board is
a copy the heartbeat rebuilds from SQL; both are written here from the same named move, so no other
module names a seat's state or writes it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from dialer.domain import seats
from dialer.domain.seats import SeatMove
from dialer.models import CallingSession
from dialer.ports import Seat
from dialer.services.phone_bank import PhoneBank

logger = logging.getLogger(__name__)


def open_seat(bank: PhoneBank, session: Session, seat: CallingSession, *, now: datetime) -> None:
    """Record a new seat in its first state and put it on the board; the caller commits."""
    seat.state = seats.START
    seat.state_changed_at = now
    session.add(seat)
    session.flush()
    bank.seats.put(board_seat(seat), since=now)


def apply(
    bank: PhoneBank,
    seat: CallingSession,
    move: SeatMove,
    *,
    now: datetime,
    call_id: int | None = None,
    busy_with: int | None = None,
) -> bool:
    """Make `move` if the seat's current state (and call, with `busy_with`) allows; the caller commits.

    Returns False, changing nothing, when the board says the move is stale (the seat has moved on),
    or when the seat's volunteer is away and the move is not one a held seat may make.
    """
    assert seat.id is not None
    sources = move.sources
    if seat.away_since is not None:
        sources = frozenset(state for state in sources if seats.can_move(state, move.target, away=True))
        if not sources:
            return False
    moved = bank.seats.move(seat.id, sources, move.target, now=now, call_id=call_id, busy_with=busy_with)
    if moved is None:
        if busy_with is not None and seat.state is not move.target:  # a late event about a call it is past
            logger.info("seat.move_refused seat=%s call=%s move=%s why=stale", seat.id, busy_with, move.name)
        return False
    record(seat, move, now=now, call_id=call_id)
    return True


def settle(bank: PhoneBank, seat: CallingSession, move: SeatMove, *, now: datetime, busy_with: int) -> bool:
    """Bring to pass a move whose event was lost (with Redis, or a process that died between its two
    writes): `move`'s target, from wherever the SQL record has the seat, if the board agrees."""
    return apply(
        bank, seat, SeatMove(move.name, frozenset({seat.state}), move.target), now=now, busy_with=busy_with
    )


def end(bank: PhoneBank, seat: CallingSession, move: SeatMove = seats.END, *, now: datetime) -> bool:
    """End the seat by `move` if it is in one of its sources; the caller commits. A seat the board
    still holds ends only if the board agrees, unless `move` is the unconditional `END` (the record
    decides then, and the board follows)."""
    assert seat.id is not None
    if seat.state not in move.sources:
        return False
    on_board = bank.seats.get(seat.id)
    moved = bank.seats.move(seat.id, move.sources, move.target, now=now) if on_board else None
    if on_board is not None and moved is None and move is not seats.END:
        return False  # it moved on meanwhile (the board decides between racing moves)
    record(seat, move, now=now)
    return True


def reserve_idle(bank: PhoneBank, campaign_id: int, *, now: datetime) -> Seat | None:
    """Power mode: take the campaign's longest-idle seat for a dial (`DIAL`, on the board; the SQL
    record follows with the call, `record_dial`)."""
    return bank.seats.reserve_idle(campaign_id, now=now)


def undo_reservation(bank: PhoneBank, session_id: int, *, seat_gone: bool, now: datetime) -> None:
    """A reserved seat the pacer cannot use: idle again, or (the record says it has ended) off the board."""
    move = seats.RESERVED_SEAT_GONE if seat_gone else seats.DIAL_UNDONE
    bank.seats.move(session_id, move.sources, move.target, now=now)


def record_dial(seat: CallingSession, call_id: int, *, now: datetime) -> None:
    """The SQL record of a seat's dial (`DIAL`), once its call exists."""
    record(seat, seats.DIAL, now=now, call_id=call_id)


def claim_for_answer(
    bank: PhoneBank,
    campaign_id: int,
    call_id: int,
    reserved_session: int | None,
    *,
    now: datetime,
    any_idle_seat: bool,
) -> Seat | None:
    """The seat an answered call joins (`ANSWERED` for its reserved seat, else `TAKEN_BY_ANSWER`),
    claimed on the board; `record_answer` then writes the SQL record."""
    return bank.seats.claim_for_answer(
        campaign_id, call_id, reserved_session, now=now, any_idle_seat=any_idle_seat
    )


def record_answer(seat: CallingSession, call_id: int, *, now: datetime) -> None:
    """The SQL record of a seat claimed for an answered call (`ANSWERED` and `TAKEN_BY_ANSWER` end
    in the same state); the caller commits."""
    record(seat, seats.ANSWERED, now=now, call_id=call_id)


def after_call(seat: CallingSession) -> SeatMove:
    """How a seat moves on from a call that ended without a conversation: into the pause its
    volunteer asked for, else ready for the next."""
    return seats.UNANSWERED_THEN_PAUSE if seat.pause_after_call else seats.UNANSWERED


def after_outcome(seat: CallingSession, *, pause: bool) -> SeatMove:
    """How a seat moves on once its outcome is saved: paused if asked (now or during the call) or if
    its volunteer's audio is away (a page that lost only its audio may still save), else ready."""
    if pause or seat.pause_after_call or seat.away_since is not None:
        return seats.OUTCOME_SAVED_THEN_PAUSE
    return seats.OUTCOME_SAVED


def record(seat: CallingSession, move: SeatMove, *, now: datetime, call_id: int | None = None) -> None:
    """Write `move`'s outcome to the SQL record (the board has already agreed to it)."""
    to = move.target
    seat.state = to
    seat.state_changed_at = now
    if to in seats.ON_A_BREAK or to not in seats.LIVE_SEAT_STATES:  # a pause asked for is spent
        seat.pause_after_call = False
    if to in seats.CALL_FREE:
        seat.current_call_id = None
    elif call_id is not None:
        seat.current_call_id = call_id
    if to not in seats.LIVE_SEAT_STATES:
        seat.ended_at = now
        seat.preview_voter_id = None
        seat.away_since = None


def put_back(bank: PhoneBank, seat: CallingSession, *, since: datetime) -> None:
    """Put the seat on the board as the SQL record has it (the board lost or missed a move)."""
    bank.seats.put(board_seat(seat), since=since)


def board_copy(live: list[CallingSession], *, now: datetime) -> list[tuple[Seat, datetime]]:
    """The board's copy of the SQL record's live seats, each with the time of its last move."""
    return [(board_seat(seat), seat.state_changed_at or now) for seat in live]


def rebuild_board(bank: PhoneBank, board: list[tuple[Seat, datetime]]) -> None:
    """Replace the whole board with `board_copy` of the SQL record (Redis lost it)."""
    bank.seats.rebuild(board)


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
