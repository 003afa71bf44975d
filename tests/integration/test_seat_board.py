"""The Redis seat board: compare-and-set moves, reservations and answer-time claims under concurrency."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from dialer.adapters.redis_seat_board import RedisSeatBoard
from dialer.domain.seats import SeatState
from dialer.ports import Seat

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


@pytest.fixture
def board(redis):
    return RedisSeatBoard(redis)


def seat(n, state=SeatState.READY, campaign=1):
    return Seat(n, campaign, 100 + n, state, f"seat-{n}")


def test_many_answers_at_once_never_share_a_seat(board, redis):
    for n in range(20):
        board.put(seat(n), since=NOW + timedelta(seconds=n))
    won: list = []  # type: ignore[type-arg]
    lock = threading.Lock()

    def answer(call_id):
        got = RedisSeatBoard(redis).claim_for_answer(1, call_id, None, now=NOW, any_idle_seat=True)
        with lock:
            won.append(got)

    threads = [threading.Thread(target=answer, args=(call,)) for call in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seats = [got.session_id for got in won if got is not None]
    assert sorted(seats) == list(range(20)), "20 seats, 20 connections, 30 calls without a seat"
    assert board.idle_seats(1) == 0


def test_a_reserved_seat_takes_only_its_own_call(board):
    board.put(seat(1), since=NOW)
    board.put(seat(2), since=NOW + timedelta(seconds=1))
    reserved = board.reserve_idle(1, now=NOW)
    assert reserved.session_id == 1, "the longest-idle seat is reserved first"
    board.attach_call(1, 55)
    other = board.claim_for_answer(1, 66, 1, now=NOW, any_idle_seat=False)
    assert other is None, "preview mode: no other seat may take a call reserved for seat 1"
    mine = board.claim_for_answer(1, 55, 1, now=NOW, any_idle_seat=False)
    assert (mine.session_id, mine.state, mine.call_id) == (1, SeatState.CONNECTED, 55)


def test_a_move_happens_only_from_the_allowed_states_and_for_the_expected_call(board):
    board.put(Seat(1, 1, 101, SeatState.CONNECTED, "seat-1", call_id=10), since=NOW)
    assert board.move(1, frozenset({SeatState.READY}), SeatState.PAUSED, now=NOW) is None
    late = board.move(1, frozenset({SeatState.CONNECTED}), SeatState.WRAP_UP, now=NOW, busy_with=9)
    assert late is None, "an event about an earlier call moves nothing"
    moved = board.move(1, frozenset({SeatState.CONNECTED}), SeatState.WRAP_UP, now=NOW, busy_with=10)
    assert moved.state is SeatState.WRAP_UP and moved.call_id == 10
    ready = board.move(1, frozenset({SeatState.WRAP_UP}), SeatState.READY, now=NOW)
    assert ready.call_id is None and board.idle_seats(1) == 1
    board.move(1, frozenset({SeatState.READY}), SeatState.ENDED, now=NOW)
    assert board.get(1) is None and board.idle_seats(1) == 0


def test_reserving_concurrently_hands_each_seat_out_once(board, redis):
    for n in range(30):
        board.put(seat(n), since=NOW)
    got: list[int] = []
    lock = threading.Lock()

    def reserve():
        mine = []
        while (reserved := RedisSeatBoard(redis).reserve_idle(1, now=NOW)) is not None:
            mine.append(reserved.session_id)
        with lock:
            got.extend(mine)

    threads = [threading.Thread(target=reserve) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == list(range(30))


def test_a_rebuild_replaces_the_board(board):
    board.put(seat(1), since=NOW)
    board.put(seat(2, campaign=2), since=NOW)
    board.rebuild([(seat(3, SeatState.PAUSED), NOW), (seat(4), NOW)])
    assert board.get(1) is None and board.get(2) is None
    assert board.get(3).state is SeatState.PAUSED
    assert board.idle_seats(1) == 1 and board.idle_seats(2) == 0
    assert board.campaigns_with_idle_seats() == [1]


def test_several_seats_are_read_at_once_with_none_for_a_seat_the_board_lost(board):
    board.put(seat(1), since=NOW)
    board.put(seat(2, SeatState.PAUSED), since=NOW)

    seats = board.get_many([2, 1, 9])

    assert seats == {1: seat(1), 2: seat(2, SeatState.PAUSED), 9: None}
    assert board.get_many([]) == {}
