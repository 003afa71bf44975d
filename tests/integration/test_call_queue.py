"""The Redis call queue: atomic claims under concurrency, suppression, 'not twice in a day', rebuilds."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from dialer.adapters.redis_call_queue import RedisCallQueue
from dialer.ports import Claimed, QueuedVoter, QueueSnapshot

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
TOMORROW = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
DAY = "2026-11-26"


def phone(n):
    return f"+447700900{n:03d}"


@pytest.fixture
def queue(redis):
    return RedisCallQueue(redis)


def claim(queue, campaign=1, now=NOW):
    day = now.date().isoformat()  # UTC and London agree in November
    return queue.claim(campaign, now=now, day=day, next_day=TOMORROW)


def fill(queue, campaign, numbers, due=NOW - timedelta(minutes=1)):
    for n in numbers:
        queue.add(campaign, QueuedVoter(n, phone(n), due))


def test_threads_hammering_the_claim_never_get_the_same_voter_or_number(queue, redis):
    fill(queue, 1, range(200))
    fill(queue, 2, range(150, 350))  # 50 numbers shared with campaign 1
    claimed: list[Claimed] = []
    lock = threading.Lock()

    def worker(campaign):
        mine = []
        while (got := claim(RedisCallQueue(redis), campaign)) is not None:
            mine.append(got)
        with lock:
            claimed.extend(mine)

    threads = [threading.Thread(target=worker, args=(1 + i % 2,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [c.phone for c in claimed]
    assert len(numbers) == len(set(numbers)) == 350, "each number held by one claim at a time"


def test_a_claimed_number_is_held_until_released(queue):
    fill(queue, 1, [1])
    fill(queue, 2, [1])
    first = claim(queue, 1)
    assert first is not None and first.voter_id == 1
    assert claim(queue, 2) is None, "the same number in another campaign waits while it is in a call"
    queue.release(first.phone, "someone-else")
    assert claim(queue, 2) is None, "only the holder can release a number"
    queue.release(first.phone, first.token)
    assert claim(queue, 2, now=NOW + timedelta(minutes=1)) is not None


def test_a_suppressed_number_is_never_claimed_and_leaves_the_queue(queue):
    fill(queue, 1, [1, 2])
    queue.suppress(phone(1))
    got = claim(queue)
    assert got is not None and got.voter_id == 2
    queue.release(got.phone, got.token)
    assert queue.waiting(1) == 0


def test_a_number_dialled_today_by_one_campaign_waits_until_tomorrow_for_another(queue):
    fill(queue, 1, [7])
    fill(queue, 2, [7])
    got = claim(queue, 1)
    assert queue.mark_dialled(got.phone, 1, day=DAY)
    queue.release(got.phone, got.token)
    assert claim(queue, 2) is None
    assert queue.next_due(2) == TOMORROW
    assert claim(queue, 2, now=TOMORROW) is not None


def test_the_same_campaign_may_retry_a_number_it_dialled_today(queue):
    fill(queue, 1, [7])
    got = claim(queue, 1)
    queue.mark_dialled(got.phone, 1, day=DAY)
    queue.release(got.phone, got.token)
    fill(queue, 1, [7])
    assert claim(queue, 1) is not None
    assert queue.mark_dialled(phone(7), 1, day=DAY)
    assert not queue.mark_dialled(phone(7), 2, day=DAY)


def test_voters_not_yet_due_stay_queued_and_call_backs_come_first(queue):
    queue.add(1, QueuedVoter(1, phone(1), NOW + timedelta(hours=1)))
    queue.add(1, QueuedVoter(2, phone(2), NOW - timedelta(days=1)))
    queue.add(1, QueuedVoter(3, phone(3), NOW - timedelta(minutes=5), call_back=True))
    assert claim(queue).voter_id == 3
    assert claim(queue).voter_id == 2
    assert claim(queue) is None
    assert queue.waiting(1) == 1


def test_a_rebuild_replaces_everything_atomically(queue):
    fill(queue, 1, range(5))
    held = claim(queue)
    queue.rebuild(
        QueueSnapshot(
            queued={1: [QueuedVoter(9, phone(9), NOW)], 3: [QueuedVoter(4, phone(4), NOW)]},
            suppressed={phone(9)},
            in_calls={phone(4): "3:4"},
            dialled_today={},
            day=DAY,
        )
    )
    assert queue.is_built()
    assert queue.waiting(1) == 1 and queue.waiting(3) == 1
    assert claim(queue, 1) is None, "suppressed"
    assert claim(queue, 3) is None, "its number is in a call"
    assert queue.holder(held.phone) is None, "holds not in SQL are dropped"


def test_a_flushed_redis_is_noticed(queue, redis):
    queue.rebuild(QueueSnapshot({}, set(), {}, {}, DAY))
    assert queue.is_built()
    redis.flushdb()
    assert not queue.is_built()
