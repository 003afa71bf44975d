"""The simulated clock runs scheduled actions in time order, deterministically."""

from datetime import timedelta

from dialer.clock import ScaledClock, SimClock


def test_advancing_runs_due_actions_in_time_then_scheduling_order():
    clock = SimClock()
    ran: list[str] = []
    clock.call_later(5, lambda: ran.append("b"))
    clock.call_later(1, lambda: ran.append("a"))
    clock.call_later(5, lambda: ran.append("c"))
    clock.call_later(9, lambda: ran.append("late"))
    assert clock.advance(5) == 3
    assert ran == ["a", "b", "c"]
    assert clock.monotonic() == 5


def test_time_seen_inside_an_action_is_its_due_time():
    clock = SimClock()
    start = clock.now()
    seen = []
    clock.call_later(2.5, lambda: seen.append(clock.now()))
    clock.advance(10)
    assert seen == [start + timedelta(seconds=2.5)]
    assert clock.now() == start + timedelta(seconds=10)


def test_actions_can_schedule_more_actions_and_cancelled_ones_never_run():
    clock = SimClock()
    ran = []
    timer = clock.call_later(3, lambda: ran.append("cancelled"))
    clock.call_later(1, lambda: clock.call_later(1, lambda: ran.append("chained")))
    timer.cancel()
    assert clock.run_until_idle() == 2
    assert ran == ["chained"]
    assert clock.monotonic() == 2


def test_a_scaled_clock_runs_faster_than_real_time():
    clock = ScaledClock(speed=1000)
    before = clock.monotonic()
    import time

    time.sleep(0.01)
    assert clock.monotonic() - before >= 5


def test_a_real_time_scheduler_runs_actions_in_due_order_on_a_sped_up_clock():
    import threading

    from dialer.clock import RealTimeScheduler

    scheduler = RealTimeScheduler(ScaledClock(speed=1000)).start()
    ran: list[str] = []
    done = threading.Event()
    try:

        def last() -> None:
            ran.append("last")
            done.set()

        scheduler.call_later(20, last)
        scheduler.call_later(10, lambda: ran.append("second"))
        scheduler.call_later(0, lambda: ran.append("first"))
        scheduler.call_later(5, lambda: 1 / 0)  # a failing action is logged, not fatal
        scheduler.call_later(15, lambda: ran.append("cancelled")).cancel()
        assert done.wait(timeout=5)
    finally:
        scheduler.stop()
    assert ran == ["first", "second", "last"]
