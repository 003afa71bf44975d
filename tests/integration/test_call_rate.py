"""The calls-per-second budget: a token bucket in Redis shared by every worker."""

import pytest

from dialer.adapters.redis_call_rate import RedisCallRate
from dialer.clock import SimClock

pytestmark = pytest.mark.integration


def test_a_full_bucket_lets_a_burst_through_then_spaces_calls_out(redis):
    clock = SimClock()
    rate = RedisCallRate(redis, per_second=5)
    assert [rate.take(now=clock.now()) for _ in range(5)] == [0.0] * 5
    assert rate.take(now=clock.now()) == pytest.approx(0.2)


def test_after_waiting_as_told_a_call_goes_or_waits_long_enough_for_a_clock_to_notice(redis):
    # At this instant float error used to leave 0.2 us to wait: re-enqueued for the same simulated
    # instant, place_call ran again and again without time ever moving on.
    clock = SimClock()
    clock.advance(0.028)
    rate = RedisCallRate(redis, per_second=5)
    for _ in range(5):
        rate.take(now=clock.now())
    clock.advance(rate.take(now=clock.now()))
    wait = rate.take(now=clock.now())
    assert wait == 0.0 or wait >= 0.001
    clock.advance(wait)
    assert wait == 0.0 or rate.take(now=clock.now()) == 0.0
