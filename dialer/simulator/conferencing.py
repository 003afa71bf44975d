"""Conference rooms: who is in them, when they start and end, and the events Twilio reports.

A conference is created by its first participant (a <Dial><Conference> or a Participants API
call) and starts when someone with startConferenceOnEnter is in it. It ends when a participant
with endConferenceOnExit leaves, when the last one leaves, or through the API; everyone left is
then released (a TwiML participant carries on after its <Dial>, an API participant hangs up).
The conference keeps the status callback of the first participant that names one.
"""

from __future__ import annotations

from dialer.simulator import wire
from dialer.simulator.call_control import CallControl
from dialer.simulator.calls import Call, CallOptions
from dialer.simulator.conferences import COMPLETED, DEFAULT_EVENTS, IN_PROGRESS, INIT, Conference, Participant
from dialer.simulator.errors import TwilioError, not_found
from dialer.simulator.sids import CONFERENCE
from dialer.simulator.twiml import ConferenceRoom, Dial


def live_or_new(switch: CallControl, name: str) -> Conference:
    conference = switch.records.live_conferences.get(name)
    if conference is None:
        conference = Conference(
            sid=switch.sids.new(CONFERENCE),
            account_sid=switch.account_sid,
            friendly_name=name,
            created=switch.clock.now(),
            seq=len(switch.records.conference_order),
        )
        switch.records.add_conference(conference)
        switch.log("conference-created", None, conference_sid=conference.sid, friendly_name=name)
    return conference


def find(switch: CallControl, sid_or_name: str, path: str) -> Conference:
    """A conference by sid (any status) or by the friendly name of a live one."""
    conference = switch.records.conferences.get(sid_or_name) or switch.records.live_conferences.get(
        sid_or_name
    )
    if conference is None:
        raise not_found(path)
    return conference


def subscribe(conference: Conference, url: str | None, method: str, events: frozenset[str]) -> None:
    if conference.callback_url is None and url:
        conference.callback_url = url
        conference.callback_method = method
        conference.callback_events = events or DEFAULT_EVENTS


# --- joining ------------------------------------------------------------------------------


def join_from_twiml(switch: CallControl, call: Call, dial: Dial) -> None:
    room = dial.target
    assert isinstance(room, ConferenceRoom)
    conference = live_or_new(switch, room.name)
    subscribe(conference, room.status_callback, room.status_callback_method, room.status_callback_events)
    participant = Participant(
        call_sid=call.sid,
        conference_sid=conference.sid,
        account_sid=switch.account_sid,
        created=switch.clock.now(),
        label=room.participant_label,
        muted=room.muted,
        start_conference_on_enter=room.start_conference_on_enter,
        end_conference_on_exit=room.end_conference_on_exit,
        coaching=room.coach is not None,
        call_sid_to_coach=room.coach,
        dial=dial,
    )
    conference.participants[call.sid] = participant
    _enter(switch, conference, participant, call)


def add_participant(
    switch: CallControl, conference: Conference, options: CallOptions, participant: Participant
) -> Participant:
    """Participants API: dial `options.to` and put the callee in the room once they answer."""
    if not conference.live:
        raise TwilioError(400, 20001, f"Conference {conference.sid} is already completed")
    call = switch.place_call(options)
    participant.call_sid = call.sid
    participant.conference_sid = conference.sid
    participant.queue_time_ms = call.queue_time_ms
    conference.participants[call.sid] = participant
    call.conference_sid = conference.sid
    return participant


def on_progress(switch: CallControl, call: Call, status: str) -> None:
    participant = _pending(switch, call)
    if participant is not None:
        participant.status = status
        participant.updated = switch.clock.now()


def on_answer(switch: CallControl, call: Call) -> bool:
    """An API participant answered: into the room (True), instead of fetching a voice URL."""
    participant = _pending(switch, call)
    if participant is None:
        return False
    conference = switch.records.conferences[participant.conference_sid]
    _enter(switch, conference, participant, call)
    return True


def _pending(switch: CallControl, call: Call) -> Participant | None:
    if call.conference_sid is None:
        return None
    participant = switch.records.conferences[call.conference_sid].participants.get(call.sid)
    return participant if participant is not None and participant.status != "connected" else None


def _enter(switch: CallControl, conference: Conference, participant: Participant, call: Call) -> None:
    participant.status = "connected"
    participant.updated = switch.clock.now()
    call.conference_sid = conference.sid
    conference.updated = switch.clock.now()
    switch.log("joined", call, conference_sid=conference.sid, friendly_name=conference.friendly_name)
    _event(switch, conference, "participant-join", participant)
    if conference.status == INIT and participant.start_conference_on_enter:
        conference.status = IN_PROGRESS
        _event(switch, conference, "conference-start")
    _connect_talkers(switch, conference)


def _connect_talkers(switch: CallControl, conference: Conference) -> None:
    if conference.status != IN_PROGRESS:
        return
    present = [p for p in conference.connected() if not p.hold]
    if len(present) >= 2:
        for participant in present:
            switch.start_talking(switch.records.calls[participant.call_sid])


# --- changes and leaving ------------------------------------------------------------------


def update(
    switch: CallControl,
    conference: Conference,
    participant: Participant,
    *,
    hold: bool | None,
    muted: bool | None,
    hold_url: str | None = None,
) -> None:
    """Hold (the participant hears `hold_url`'s TwiML, which the log names) or unhold; mute or unmute."""
    if hold is not None and hold != participant.hold:
        participant.hold = hold
        participant.hold_url = hold_url if hold else None
        call = switch.records.calls.get(participant.call_sid)
        switch.log(
            "held" if hold else "unheld", call, conference_sid=conference.sid, hold_url=participant.hold_url
        )
        _event(switch, conference, "participant-hold" if hold else "participant-unhold", participant)
    if muted is not None and muted != participant.muted:
        participant.muted = muted
        _event(switch, conference, "participant-mute" if muted else "participant-unmute", participant)
    participant.updated = switch.clock.now()
    _connect_talkers(switch, conference)


def leave(switch: CallControl, call: Call, *, reason: str, resume: bool = True, kicked: bool = False) -> None:
    conference = switch.records.conferences.get(call.conference_sid or "")
    call.conference_sid = None
    if conference is None:
        return
    participant = conference.participants.pop(call.sid, None)
    if participant is None:
        return
    if participant.status == "connected":
        participant.status = "complete"
        _event(switch, conference, "participant-leave", participant, _leave_params(call, reason))
    if conference.live:
        if participant.end_conference_on_exit and participant.status == "complete":
            ended = "participant-with-end-conference-on-exit-" + ("kicked" if kicked else "left")
            end(switch, conference, ended, call.sid)
        elif not conference.participants:
            end(switch, conference, "last-participant-" + ("kicked" if kicked else "left"), call.sid)
    if resume and call.live:
        _release(switch, call, participant)


def end(switch: CallControl, conference: Conference, reason: str, ending_call_sid: str | None) -> None:
    if not conference.live:
        return
    conference.status = COMPLETED
    conference.reason_conference_ended = reason
    conference.call_sid_ending_conference = ending_call_sid
    conference.updated = switch.clock.now()
    switch.records.conference_ended(conference)
    leave_reason = reason.replace("-", "_")
    for participant in list(conference.participants.values()):
        call = switch.records.calls[participant.call_sid]
        del conference.participants[participant.call_sid]
        call.conference_sid = None
        if participant.status == "connected":
            participant.status = "complete"
            _event(switch, conference, "participant-leave", participant, _leave_params(call, leave_reason))
            _release(switch, call, participant)
        else:
            switch.hangup(call, by="conference-ended")
    extra = {"ReasonConferenceEnded": reason}
    if ending_call_sid:
        extra["CallSidEndingConference"] = ending_call_sid
    _event(switch, conference, "conference-end", None, extra)
    switch.log("conference-ended", None, conference_sid=conference.sid, reason=reason)


def _release(switch: CallControl, call: Call, participant: Participant) -> None:
    """Out of the room: a TwiML call carries on after its <Dial>, an API participant hangs up."""
    if participant.dial is not None and call.program is not None:
        switch.after_dial(call, participant.dial, {})
    else:
        switch.hangup(call, by="conference-ended")


def _leave_params(call: Call, reason: str) -> dict[str, str]:
    return {"ParticipantCallStatus": call.status, "ReasonParticipantLeft": reason}


def _event(
    switch: CallControl,
    conference: Conference,
    event: str,
    participant: Participant | None = None,
    extra: dict[str, str] | None = None,
) -> None:
    switch.log(
        "conference-event",
        None,
        conference_sid=conference.sid,
        event=event,
        participant=participant.call_sid if participant else None,
    )
    if not conference.subscribes(event) or conference.callback_url is None:
        return
    params = {
        "AccountSid": switch.account_sid,
        "ConferenceSid": conference.sid,
        "FriendlyName": conference.friendly_name,
        "StatusCallbackEvent": event,
        "SequenceNumber": str(conference.callbacks_sent),
        "Timestamp": wire.rfc2822(switch.clock.now()) or "",
    }
    if participant is not None:
        params.update(
            CallSid=participant.call_sid,
            Muted=_flag(participant.muted),
            Hold=_flag(participant.hold),
            Coaching=_flag(participant.coaching),
            EndConferenceOnExit=_flag(participant.end_conference_on_exit),
            StartConferenceOnEnter=_flag(participant.start_conference_on_enter),
        )
        if participant.label:
            params["ParticipantLabel"] = participant.label
    params.update(extra or {})
    conference.callbacks_sent += 1
    switch.webhook(conference.sid, event, conference.callback_method, conference.callback_url, params)


def _flag(value: bool) -> str:
    return "true" if value else "false"
