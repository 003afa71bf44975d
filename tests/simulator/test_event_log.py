"""The event log pages by id, answers per call without scanning everything, and forgets the oldest."""

import time
from datetime import UTC, datetime

from flask import request

from dialer.simulator import Behaviour
from dialer.simulator.events import EventLog
from tests.simulator.conftest import dial

AT = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


def test_events_are_read_in_order_from_an_id_by_kind_and_by_call():
    log = EventLog()
    for index in range(10):
        log.record(AT, "webhook" if index % 2 else "ended", f"CA{index % 3}", n=index)
    assert [e.data["n"] for e in log.since(4)] == [4, 5, 6, 7, 8, 9]
    assert [e.data["n"] for e in log.since(0, call_sid="CA1")] == [1, 4, 7]
    assert [e.data["n"] for e in log.since(5, call_sid="CA1", kind="webhook")] == [7]
    assert [e.data["n"] for e in log.since(0, kind="ended", limit=2)] == [0, 2]
    assert log.next_id == 10


def test_the_oldest_events_go_once_the_limit_is_reached():
    log = EventLog(limit=4)
    for index in range(6):
        log.record(AT, "webhook", "CA-a" if index < 3 else "CA-b", n=index)
    assert [e.data["n"] for e in log.since(0)] == [2, 3, 4, 5]
    assert [e.data["n"] for e in log.since(0, call_sid="CA-a")] == [2]
    assert [e.data["n"] for e in log.since(0, call_sid="CA-b")] == [3, 4, 5]


def test_each_webhook_result_says_how_long_the_product_took_to_answer_in_wall_clock_time(
    sim, twilio, product
):
    def think() -> None:
        if request.path == "/voice":
            time.sleep(0.05)

    product.app.before_request(think)

    sim.set_behaviour("+447700900001", Behaviour.answer(ring=1, talk=5))
    call = dial(twilio, "+447700900001")
    sim.advance(10)
    results = {
        e.data["url"].rsplit("/", 1)[-1]: e.data for e in sim.events(kind="webhook-result", call_sid=call.sid)
    }
    assert results["voice"]["elapsed_ms"] >= 50  # the simulated clock stood still meanwhile
    assert results["status"]["elapsed_ms"] < 50
