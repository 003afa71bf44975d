"""Acceptance 5: each injected fault reaches the product as Twilio's own failure would."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException

from dialer.simulator import Behaviour, Fault
from tests.simulator.conftest import dial

VOTER = "+447700900001"
TALK = "<Response><Pause length='60'/></Response>"


def test_rate_limiting_answers_429_with_code_20429_and_creates_nothing(sim, twilio):
    sim.inject(Fault("rest_429", count=2, match="/Calls.json"))
    for _ in range(2):
        with pytest.raises(TwilioRestException) as failure:
            dial(twilio, VOTER)
        assert (failure.value.status, failure.value.code) == (429, 20429)
    assert twilio.calls.list() == []
    assert dial(twilio, VOTER).status == "queued"


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503)])
def test_server_errors_answer_5xx_and_change_nothing(sim, twilio, status, code):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=1, talk=600))
    call = dial(twilio, VOTER)
    sim.advance(5)
    sim.inject(Fault("rest_5xx", status=status))
    with pytest.raises(TwilioRestException) as failure:
        twilio.calls(call.sid).update(status="completed")
    assert (failure.value.status, failure.value.code) == (status, code)
    assert twilio.calls(call.sid).fetch().status == "in-progress"


def test_a_fault_with_a_probability_fires_reproducibly(sim, twilio):
    sim.inject(Fault("rest_429", count=None, probability=0.5))
    outcomes = []
    for _ in range(20):
        try:
            twilio.incoming_phone_numbers.list()
            outcomes.append("ok")
        except TwilioException:
            outcomes.append("429")
    assert 3 < outcomes.count("429") < 17
    sim.clear_faults()
    assert len(twilio.incoming_phone_numbers.list()) == 3


def test_a_voice_url_that_times_out_ends_the_call_with_error_11205(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=1, talk=600))
    product.twiml["/voice"] = TALK
    sim.inject(Fault("webhook_timeout", match="/voice"))
    call = dial(twilio, VOTER)
    sim.advance(10)
    assert len(product.at("/voice")) == 1  # the product did receive it...
    assert twilio.calls(call.sid).fetch().status == "in-progress"  # ...but Twilio is still waiting
    sim.advance(20)
    assert [event.data["code"] for event in sim.events(kind="error", call_sid=call.sid)] == [11205]
    assert twilio.calls(call.sid).fetch().status == "completed"


def test_a_status_callback_that_times_out_is_not_retried(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.busy())
    sim.inject(Fault("webhook_timeout", match="/status"))
    call = dial(twilio, VOTER)
    sim.advance(30)
    assert product.call_statuses(call.sid) == ["initiated", "busy"]
    results = [event.data for event in sim.events(kind="webhook-result", call_sid=call.sid)]
    assert results[0]["error"] and "injected" in results[0]["error"]


def test_a_duplicated_callback_arrives_twice_with_the_same_sequence_number(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.busy())
    sim.inject(Fault("duplicate_callback", match="/status"))
    call = dial(twilio, VOTER)
    sim.advance(30)
    sequence = [(i.form["CallStatus"], i.form["SequenceNumber"]) for i in product.at("/status")]
    assert sequence == [("initiated", "0"), ("initiated", "0"), ("busy", "1")]
    assert product.at("/status")[0].signature == product.at("/status")[1].signature
    assert call.sid == product.at("/status")[0].form["CallSid"]


def test_an_out_of_order_callback_arrives_after_the_next_one(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.hangs_up_after(5, ring=3))
    product.twiml["/voice"] = TALK
    sim.inject(Fault("out_of_order", match="/status"))
    call = dial(twilio, VOTER)
    sim.advance(60)
    arrived = [(i.form["CallStatus"], i.form["SequenceNumber"]) for i in product.at("/status")]
    assert arrived == [("ringing", "1"), ("initiated", "0"), ("in-progress", "2"), ("completed", "3")]
    assert product.call_statuses(call.sid)[-1] == "completed"


def test_a_held_back_callback_is_never_lost(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.busy())
    sim.inject(Fault("out_of_order", match="/status"))
    dial(twilio, VOTER)
    sim.advance(30)
    assert [i.form["CallStatus"] for i in product.at("/status")] == ["busy", "initiated"]


def test_faults_are_described_with_clear_errors():
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("network_gremlins")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 500 and 599"):
        Fault("rest_5xx", status=404)
