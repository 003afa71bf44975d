"""The TwiML interpreter: verbs take realistic time, digits and dials work, bad TwiML fails as on Twilio."""

from __future__ import annotations

import pytest

from dialer.simulator import Behaviour
from dialer.simulator.twiml import Say, TwimlError, parse
from tests.simulator.conftest import dial, url

VOTER = "+447700900001"


def ended_at(twilio, call):
    fetched = twilio.calls(call.sid).fetch()
    return fetched.end_time.timestamp() - fetched.start_time.timestamp()


def test_say_lasts_as_long_as_reading_it_aloud():
    assert Say("one two three four five").duration(5.0) == pytest.approx(2.5)
    assert Say("hello", loop=3).duration(5.0) == pytest.approx(2.7)


def test_a_document_that_runs_out_hangs_up_after_its_verbs_have_played(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=4, talk=600))
    product.twiml["/voice"] = "<Response><Pause length='10'/><Play>http://x/clip.mp3</Play></Response>"
    call = dial(twilio, VOTER)
    sim.advance(60)
    # 1 s to ring, 4 s ringing, 10 s pause, 5 s clip.
    assert ended_at(twilio, call) == 20
    assert twilio.calls(call.sid).fetch().duration == "15"


def test_keyed_digits_reach_the_gather_action(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=2, digits="1", digits_after_s=3))
    product.twiml["/voice"] = (
        "<Response><Gather numDigits='1' action='/pressed'><Say>Press 1</Say></Gather></Response>"
    )
    product.twiml["/pressed"] = "<Response><Hangup/></Response>"
    call = dial(twilio, VOTER)
    sim.advance(60)
    pressed = product.at("/pressed")[0].form
    assert (pressed["CallSid"], pressed["Digits"]) == (call.sid, "1")


def test_a_gather_with_no_input_moves_on_to_the_next_verb(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=2))
    product.twiml["/voice"] = (
        "<Response><Gather timeout='5' action='/pressed'/><Redirect>/again</Redirect></Response>"
    )
    product.twiml["/again"] = "<Response><Hangup/></Response>"
    dial(twilio, VOTER)
    sim.advance(60)
    assert product.at("/pressed") == [] and len(product.at("/again")) == 1


def test_dialling_a_number_bridges_the_legs_and_reports_the_outcome_to_the_action(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=2, talk=600, patience_s=600))
    sim.set_behaviour("+447700900900", Behaviour.answer(ring=3, talk=20))
    sim.set_behaviour("+447700900901", Behaviour.busy())
    product.twiml["/voice"] = "<Response><Dial action='/dialled'>+447700900900</Dial></Response>"
    product.twiml["/dialled"] = (
        "<Response><Dial action='/second'><Number>+447700900901</Number></Dial></Response>"
    )
    product.twiml["/second"] = "<Response><Hangup/></Response>"
    parent = dial(twilio, VOTER)
    sim.advance(120)
    first, second = product.at("/dialled")[0].form, product.at("/second")[0].form
    assert (first["DialCallStatus"], first["DialCallDuration"]) == ("completed", "20")
    assert second["DialCallStatus"] == "busy"
    child = twilio.calls(first["DialCallSid"]).fetch()
    assert (child.parent_call_sid, child.direction) == (parent.sid, "outbound-dial")
    assert [c.sid for c in twilio.calls.list(parent_call_sid=parent.sid)] == [
        second["DialCallSid"],
        child.sid,
    ]


def test_hanging_up_the_parent_hangs_up_the_bridged_leg(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.hangs_up_after(10, ring=1))
    sim.set_behaviour("+447700900900", Behaviour.answer(ring=1, talk=600))
    product.twiml["/voice"] = "<Response><Dial>+447700900900</Dial></Response>"
    parent = dial(twilio, VOTER)
    sim.advance(60)
    (child,) = twilio.calls.list(parent_call_sid=parent.sid)
    assert (child.status, twilio.calls(parent.sid).fetch().status) == ("completed", "completed")


def test_reject_and_hangup_end_the_call(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=1))
    product.twiml["/voice"] = "<Response><Reject/><Say>never heard</Say></Response>"
    call = dial(twilio, VOTER)
    sim.advance(30)
    assert twilio.calls(call.sid).fetch().status == "completed" and ended_at(twilio, call) == 2


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("<Response><Sya>typo</Sya></Response>", 12200),
        ("<Response><say>lower case</say></Response>", 12200),
        ("<Response><Say>unclosed</Response>", 12100),
        ("<Speak>not TwiML</Speak>", 12100),
        ("<Response><Record/></Response>", 12200),
    ],
)
def test_bad_twiml_plays_the_application_error_and_hangs_up(sim, twilio, product, document, code):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=1, talk=600))
    product.twiml["/voice"] = document
    call = dial(twilio, VOTER)
    sim.advance(60)
    assert [event.data["code"] for event in sim.events(kind="error", call_sid=call.sid)] == [code]
    assert twilio.calls(call.sid).fetch().duration == "4"


def test_a_failing_voice_url_falls_back_to_the_fallback_url(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=1))
    product.status["/voice"] = 500
    product.twiml["/fallback"] = "<Response><Hangup/></Response>"
    dial(twilio, VOTER, fallback_url=url("/fallback"))
    sim.advance(30)
    fallback = product.at("/fallback")[0].form
    assert (fallback["ErrorCode"], fallback["ErrorUrl"]) == ("11200", url("/voice"))


def test_parsing_rejects_what_twilio_rejects():
    with pytest.raises(TwimlError) as failure:
        parse("<Response><Dial><Queue>support</Queue></Dial></Response>")
    assert failure.value.code == 12200
    verbs = parse("<Response><Dial timeout='20'><Client>volunteer-7</Client></Dial></Response>")
    assert verbs[0].target.address == "client:volunteer-7"  # type: ignore[union-attr]


def test_a_conference_waits_for_its_moderator_and_ends_when_they_leave(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=1, talk=30, patience_s=600))
    sim.set_behaviour("+447700900900", Behaviour.hangs_up_after(20, ring=5))
    product.twiml["/voter"] = (
        "<Response><Dial><Conference startConferenceOnEnter='false' statusCallback='/conference' "
        "statusCallbackEvent='start end join leave'>seat-9</Conference></Dial><Say>Goodbye</Say></Response>"
    )
    product.twiml["/moderator"] = (
        "<Response><Dial><Conference endConferenceOnExit='true'>seat-9</Conference></Dial></Response>"
    )
    voter = dial(twilio, VOTER, url=url("/voter"))
    sim.advance(4)
    assert twilio.conferences.list(friendly_name="seat-9")[0].status == "init"
    dial(twilio, "+447700900900", url=url("/moderator"))
    sim.advance(60)
    assert product.conference_events() == [
        "participant-join",
        "participant-join",
        "conference-start",
        "participant-leave",
        "participant-leave",
        "conference-end",
    ]
    end = product.at("/conference")[-1].form
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    leave = product.at("/conference")[3].form
    assert (leave["ReasonParticipantLeft"], leave["ParticipantCallStatus"]) == (
        "participant_hung_up",
        "completed",
    )
    # The voter's call carried on after <Dial> with the goodbye, then hung up.
    assert twilio.calls(voter.sid).fetch().status == "completed"
