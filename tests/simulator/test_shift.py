"""A three-hour shift on the simulated clock: every call of a realistic mix ends the way Twilio says."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from dialer.simulator import Mix
from tests.simulator.conftest import dial

SHIFT_S = 3 * 3600
TERMINAL = {"completed", "busy", "no-answer", "failed", "canceled"}


@pytest.mark.slow
def test_a_three_hour_shift_runs_in_seconds_with_lawful_callback_sequences(sim, sim_clock, twilio, product):
    sim.set_cps(1)
    sim.set_mix(Mix(seed=2026))
    product.twiml["/voice"] = (
        "<Response><Say>Hello, I am calling from the campaign</Say>"
        "<Dial><Conference>seat-1</Conference></Dial></Response>"
    )
    placed: list[str] = []

    def dial_next() -> None:  # the product's pacer, on the same clock
        number = f"+447700900{len(placed) % 1000:03d}"
        placed.append(dial(twilio, number, timeout=25, machine_detection="Enable", async_amd="true").sid)
        if sim_clock.monotonic() < SHIFT_S - 10:
            sim_clock.call_later(10, dial_next)

    sim_clock.call_later(0, dial_next)
    sim.advance(SHIFT_S + 600)

    assert len(placed) == SHIFT_S // 10
    by_call: dict[str, list[dict[str, str]]] = defaultdict(list)
    for item in product.at("/status"):
        by_call[item.form["CallSid"]].append(item.form)
    outcomes: Counter[str] = Counter()
    for sid in placed:
        forms = by_call[sid]
        statuses = [form["CallStatus"] for form in forms]
        assert statuses[0] == "initiated" and statuses[-1] in TERMINAL, statuses
        assert [int(form["SequenceNumber"]) for form in forms] == list(range(len(forms)))
        assert statuses[1:-1] in ([], ["ringing"], ["ringing", "in-progress"]), statuses
        outcomes[statuses[-1]] += 1
    assert {"completed", "busy", "no-answer", "failed"} <= set(outcomes)
    assert all(item.valid for item in product.received)
