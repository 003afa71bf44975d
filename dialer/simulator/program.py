"""Playing TwiML on a call: each verb takes the time it takes, then the next one starts.

<Say> lasts about as long as reading it aloud, <Play> a configured clip length, <Pause> its
length; <Gather> collects the digits the callee's behaviour keys (or a softphone sends); <Dial>
joins a conference or rings a number or client and bridges it; <Redirect> fetches new TwiML;
<Hangup> and <Reject> end the call; falling off the end of the document hangs up, as on Twilio.
"""

from __future__ import annotations

from dialer.simulator import conferencing
from dialer.simulator.call_control import CallControl
from dialer.simulator.calls import IN_PROGRESS, RINGING, Call, CallOptions, Program
from dialer.simulator.twiml import Dial, Endpoint, Gather, Hangup, Pause, Play, Redirect, Reject, Say, Verb


def run(switch: CallControl, call: Call, verbs: list[Verb], url: str | None) -> None:
    call.epoch += 1
    call.program = Program(verbs, 0, url)
    step(switch, call)


def step(switch: CallControl, call: Call) -> None:
    program, epoch = call.program, call.epoch
    assert program is not None
    program.current = None
    while call.live and program.index < len(program.verbs):
        verb = program.verbs[program.index]
        program.index += 1
        if call.status == RINGING and not isinstance(verb, Reject):
            switch.answer(call)  # an inbound call is answered by its first verb
        if isinstance(verb, Say | Play | Pause):
            program.current = verb
            switch.later(
                verb.duration(switch.settings.play_s), lambda: resume(switch, call, epoch), call=call
            )
            return
        if isinstance(verb, Hangup):
            switch.hangup(call, by="twiml")
            return
        if isinstance(verb, Reject):
            switch.reject(call, verb.reason)
            return
        if isinstance(verb, Redirect):
            switch.fetch_twiml(call, switch.absolute(program.url, verb.url), verb.method)
            return
        if isinstance(verb, Gather):
            _gather(switch, call, verb, epoch)
            return
        if isinstance(verb, Dial):
            program.current = verb
            _dial(switch, call, verb)
            return
    if call.live:
        switch.hangup(call, by="twiml-ended")


def resume(switch: CallControl, call: Call, epoch: int) -> None:
    if call.epoch == epoch and call.live and call.program is not None:
        step(switch, call)


# --- <Gather> -----------------------------------------------------------------------------


def _gather(switch: CallControl, call: Call, verb: Gather, epoch: int) -> None:
    assert call.program is not None
    call.program.current = verb
    prompts = sum(prompt.duration(switch.settings.play_s) for prompt in verb.prompts)
    behaviour = call.behaviour
    if (
        behaviour is not None
        and behaviour.digits is not None
        and behaviour.digits_after_s <= prompts + verb.timeout
    ):
        digits = behaviour.digits
        switch.later(behaviour.digits_after_s, lambda: gathered(switch, call, epoch, digits), call=call)
    else:
        switch.later(prompts + verb.timeout, lambda: resume(switch, call, epoch), call=call)


def gathered(switch: CallControl, call: Call, epoch: int, keyed: str) -> None:
    """Digits arrive while a <Gather> waits: Twilio requests its action with them."""
    program = call.program
    if call.epoch != epoch or not call.live or program is None or not isinstance(program.current, Gather):
        return
    verb = program.current
    digits, finished_on = _collect(keyed, verb.num_digits, verb.finish_on_key)
    switch.log("gathered", call, digits=digits)
    action = switch.absolute(program.url, verb.action) if verb.action else program.url
    if action is None:
        resume(switch, call, epoch)
        return
    extra = {"Digits": digits}
    if finished_on:
        extra["FinishedOnKey"] = finished_on
    call.epoch += 1  # the <Gather>'s no-input timer must not fire while the action is fetched
    program.current = None
    switch.fetch_twiml(call, action, verb.method, extra)


def _collect(keyed: str, num_digits: int | None, finish_on_key: str) -> tuple[str, str]:
    if finish_on_key and finish_on_key in keyed:
        return keyed.split(finish_on_key, 1)[0], finish_on_key
    return (keyed[:num_digits] if num_digits else keyed), ""


# --- <Dial> -------------------------------------------------------------------------------


def _dial(switch: CallControl, call: Call, verb: Dial) -> None:
    if not isinstance(verb.target, Endpoint):
        conferencing.join_from_twiml(switch, call, verb)
        return
    target = verb.target
    options = CallOptions(
        to=target.address,
        from_=verb.caller_id or call.options.from_,
        timeout=verb.timeout,
        time_limit=verb.time_limit,
        status_callback=target.status_callback,
        status_callback_method=target.status_callback_method,
        status_callback_events=target.status_callback_events or frozenset({"completed"}),
    )
    child = switch.place_call(options, direction="outbound-dial", parent=call)
    call.bridged_to = child.sid


def child_answered(switch: CallControl, child: Call) -> None:
    parent = switch.records.calls.get(child.parent_call_sid or "")
    if parent is None or parent.bridged_to != child.sid or not parent.live:
        switch.hangup(child, by="parent-gone")
        return
    child.bridged_to = parent.sid
    switch.log("bridged", parent, child=child.sid)
    switch.start_talking(parent)
    switch.start_talking(child)


def child_ended(switch: CallControl, child: Call) -> None:
    """A <Dial>ed leg is over: the parent carries on with the action URL or the next verb."""
    parent = switch.records.calls.get(child.parent_call_sid or "")
    child.bridged_to = None
    if parent is None or parent.bridged_to != child.sid or parent.status != IN_PROGRESS:
        return
    parent.bridged_to = None
    program = parent.program
    if program is None or not isinstance(program.current, Dial):
        return
    extra = {
        "DialCallSid": child.sid,
        "DialCallStatus": child.status,
        "DialCallDuration": str(child.duration_s(switch.clock.now())),
    }
    dial_done(switch, parent, program.current, extra)


def dial_done(switch: CallControl, call: Call, verb: Dial, extra: dict[str, str]) -> None:
    program = call.program
    if verb.action and program is not None:
        switch.fetch_twiml(call, switch.absolute(program.url, verb.action), verb.method, extra)
    else:
        resume(switch, call, call.epoch)
