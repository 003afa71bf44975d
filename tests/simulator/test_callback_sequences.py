"""Acceptance 4: each callee behaviour produces Twilio's documented status-callback sequence."""

from __future__ import annotations

import pytest

from dialer.simulator import Behaviour, Mix
from tests.simulator.conftest import dial, url

VOTER = "+447700900001"
TALK = "<Response><Dial><Conference>seat-1</Conference></Dial></Response>"


def progress(product, call_sid):
    """(CallStatus, SequenceNumber, SipResponseCode, CallDuration) for each status callback."""
    return [
        (f["CallStatus"], f["SequenceNumber"], f.get("SipResponseCode"), f.get("CallDuration"))
        for f in (item.form for item in product.at("/status"))
        if f["CallSid"] == call_sid
    ]


def test_an_answered_call_goes_initiated_ringing_in_progress_completed(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.hangs_up_after(42, ring=6))
    product.twiml["/voice"] = TALK
    call = dial(twilio, VOTER)
    sim.advance(120)
    assert progress(product, call.sid) == [
        ("initiated", "0", None, None),
        ("ringing", "1", None, None),
        ("in-progress", "2", None, None),
        ("completed", "3", "200", "42"),
    ]
    completed = product.at("/status")[-1].form
    assert completed["CallbackSource"] == "call-progress-events"
    assert completed["Duration"] == "1"
    assert completed["Timestamp"] == "Thu, 26 Nov 2026 17:00:49 +0000"
    voice = product.at("/voice")[0].form
    assert voice["CallStatus"] == "in-progress" and "AnsweredBy" not in voice


def test_only_subscribed_events_are_sent_and_completed_is_the_default(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.hangs_up_after(5, ring=2))
    product.twiml["/voice"] = TALK
    default = dial(twilio, VOTER, status_callback_event=None)
    answered_only = dial(twilio, VOTER, status_callback_event=["answered"])
    sim.advance(60)
    assert progress(product, default.sid) == [("completed", "0", "200", "5")]
    assert progress(product, answered_only.sid) == [("in-progress", "0", None, None)]


def test_a_busy_line_reports_busy_with_sip_486(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.busy(after=3))
    call = dial(twilio, VOTER)
    sim.advance(30)
    assert progress(product, call.sid) == [("initiated", "0", None, None), ("busy", "1", "486", "0")]
    assert product.at("/voice") == []


def test_an_unanswered_call_rings_until_its_timeout_then_reports_no_answer(sim, twilio, product, sim_clock):
    sim.set_behaviour(VOTER, Behaviour.no_answer())
    call = dial(twilio, VOTER, timeout=25)
    sim.advance(25)
    assert twilio.calls(call.sid).fetch().status == "ringing"
    sim.advance(5)
    assert progress(product, call.sid) == [
        ("initiated", "0", None, None),
        ("ringing", "1", None, None),
        ("no-answer", "2", "487", "0"),
    ]
    assert twilio.calls(call.sid).fetch().end_time.timestamp() - call.date_created.timestamp() == 26


def test_a_number_that_does_not_exist_fails_with_sip_404(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.invalid())
    call = dial(twilio, VOTER)
    sim.advance(10)
    assert progress(product, call.sid) == [("initiated", "0", None, None), ("failed", "1", "404", "0")]


def test_a_congested_carrier_fails_the_call_with_sip_503(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.congested())
    call = dial(twilio, VOTER)
    sim.advance(10)
    assert progress(product, call.sid) == [("initiated", "0", None, None), ("failed", "1", "503", "0")]
    assert product.at("/voice") == []


def test_a_failed_call_carries_the_sip_code_its_behaviour_names(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.invalid(sip_code=480))
    call = dial(twilio, VOTER)
    sim.advance(10)
    assert progress(product, call.sid)[-1] == ("failed", "1", "480", "0")


def test_a_call_canceled_while_ringing_reports_canceled(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=20))
    call = dial(twilio, VOTER)
    sim.advance(5)
    twilio.calls(call.sid).update(status="canceled")
    sim.advance(60)
    assert progress(product, call.sid) == [
        ("initiated", "0", None, None),
        ("ringing", "1", None, None),
        ("canceled", "2", "487", "0"),
    ]
    assert product.at("/voice") == []


def test_a_machine_with_async_detection_answers_first_then_reports_the_machine(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.machine(ring=10, greeting=9, record_s=20))
    product.twiml["/voice"] = "<Response><Pause length='60'/></Response>"
    call = dial(
        twilio, VOTER, machine_detection="Enable", async_amd="true", async_amd_status_callback=url("/amd")
    )
    sim.advance(120)
    assert [status for status, *_ in progress(product, call.sid)] == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    voice = product.at("/voice")[0]
    assert "AnsweredBy" not in voice.form
    amd = product.at("/amd")
    assert [(a.form["AnsweredBy"], a.form["MachineDetectionDuration"]) for a in amd] == [
        ("machine_start", "3600")
    ]
    order = [item.path for item in product.received]
    assert order.index("/voice") < order.index("/amd")
    completed = product.at("/status")[-1].form
    assert completed["AnsweredBy"] == "machine_start" and completed["CallDuration"] == "29"
    assert twilio.calls(call.sid).fetch().answered_by == "machine_start"


@pytest.mark.parametrize(
    ("behaviour", "mode", "answered_by", "waited_ms"),
    [
        (Behaviour.answer(ring=4), "Enable", "human", "2400"),
        (Behaviour.machine(ring=4, greeting=10), "DetectMessageEnd", "machine_end_beep", "10600"),
        (Behaviour.fax(ring=4), "Enable", "fax", "1800"),
        (
            Behaviour.misclassified(Behaviour.answer(ring=4), "machine_start"),
            "Enable",
            "machine_start",
            "2400",
        ),
    ],
)
def test_synchronous_detection_holds_the_voice_request_until_it_knows(
    sim, twilio, product, behaviour, mode, answered_by, waited_ms
):
    sim.set_behaviour(VOTER, behaviour)
    product.twiml["/voice"] = "<Response><Hangup/></Response>"
    dial(twilio, VOTER, machine_detection=mode)
    sim.advance(60)
    voice = product.at("/voice")[0].form
    assert (voice["AnsweredBy"], voice["MachineDetectionDuration"]) == (answered_by, waited_ms)


def test_a_callee_who_hangs_up_during_the_message_cuts_it_short(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.hangs_up_after(3, ring=2))
    product.twiml["/voice"] = (
        "<Response><Say>This is Marginal calling on behalf of the campaign. "
        "Sorry we missed you: call us back on 020 7946 0000.</Say></Response>"
    )
    call = dial(twilio, VOTER)
    sim.advance(60)
    assert progress(product, call.sid)[-1] == ("completed", "3", "200", "3")
    interrupted = sim.events(kind="interrupted", call_sid=call.sid)
    assert [event.data["verb"] for event in interrupted] == ["Say"]


def test_calls_beyond_the_cps_limit_queue_and_report_their_queue_time(sim, twilio, product):
    sim.set_cps(1)
    sim.set_behaviour(VOTER, Behaviour.busy(after=2))
    calls = [dial(twilio, VOTER) for _ in range(3)]
    assert [call.queue_time for call in calls] == ["0", "1000", "2000"]
    assert twilio.calls(calls[2].sid).fetch().queue_time == "2000"
    sim.advance(10)
    initiated = [
        item.form["Timestamp"] for item in product.at("/status") if item.form["CallStatus"] == "initiated"
    ]
    assert initiated == [f"Thu, 26 Nov 2026 17:00:0{second} +0000" for second in range(3)]


def test_a_seeded_mix_gives_the_same_outcomes_whatever_order_numbers_are_dialled_in(sim, twilio):
    sim.set_mix(Mix(seed=7))
    numbers = [f"+4477009003{index:02d}" for index in range(40)]
    for number in numbers:
        dial(twilio, number, url=url("/voice"), status_callback=None, status_callback_event=None)
    sim.run_until_idle()
    first = {call.to: call.status for call in twilio.calls.list()}
    assert len(set(first.values())) >= 3

    sim.reset()
    sim.set_mix(Mix(seed=7))
    for number in reversed(numbers):
        dial(twilio, number, url=url("/voice"), status_callback=None, status_callback_event=None)
    sim.run_until_idle()
    assert {call.to: call.status for call in twilio.calls.list()} == first


def test_a_participant_dialled_with_detection_joins_at_once_and_detection_reports_later(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.machine(ring=5, greeting=10, record_s=5))
    participant = twilio.conferences("seat-3").participants.create(
        from_="+442079460000",
        to=VOTER,
        machine_detection="Enable",
        amd_status_callback=url("/amd"),
        status_callback=url("/status"),
        status_callback_event=["initiated", "ringing", "answered", "completed"],
        conference_status_callback=url("/conference"),
        conference_status_callback_event=["join", "leave"],
    )
    sim.advance(60)
    assert [status for status, *_ in progress(product, participant.call_sid)] == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert [a.form["AnsweredBy"] for a in product.at("/amd")] == ["machine_start"]
    order = [item.path for item in product.received]
    assert order.index("/conference") < order.index("/amd")
    assert product.conference_events() == ["participant-join", "participant-leave"]


def test_a_call_ends_at_its_time_limit_unless_an_update_gives_it_a_later_one(sim, twilio, product):
    product.twiml["/voice"] = "<Response><Dial><Conference>seat-9</Conference></Dial></Response>"
    sim.set_behaviour(VOTER, Behaviour.answer(ring=1, talk=30_000, patience_s=30_000))
    sim.set_behaviour("+447700900002", Behaviour.answer(ring=1, talk=30_000, patience_s=30_000))
    kept = dial(twilio, VOTER, time_limit=14_400)
    dropped = dial(twilio, "+447700900002")  # Twilio's default: 4 hours
    sim.advance(3 * 3600)
    twilio.calls(kept.sid).update(time_limit=4 * 3600 + 14_400)  # 4 hours more from now

    sim.advance(3600 + 5)
    assert twilio.calls(dropped.sid).fetch().status == "completed"
    assert twilio.calls(kept.sid).fetch().status == "in-progress"
    (ended,) = sim.events(kind="ended", call_sid=dropped.sid)
    assert ended.data["by"] == "time-limit"
    sim.advance(4 * 3600)
    assert twilio.calls(kept.sid).fetch().status == "completed", "ended at its new limit"
