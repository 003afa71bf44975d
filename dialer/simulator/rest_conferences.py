"""Conferences and Participants APIs: list and end conferences; add, change and remove participants."""

from __future__ import annotations

from flask import Response, request

from dialer.simulator import conferencing, errors, wire
from dialer.simulator.calls import CallOptions
from dialer.simulator.conferences import EVENT_GROUPS, Conference, Participant
from dialer.simulator.errors import TwilioError
from dialer.simulator.records import display_order, newest_first
from dialer.simulator.rest import (
    bp,
    events,
    flag,
    listing,
    method,
    number,
    optional_flag,
    query_filters,
    reply,
    simulator,
    text,
)
from dialer.simulator.rest_calls import call_options

CONFERENCE_EVENTS = frozenset(EVENT_GROUPS) | {"modify", "speaker", "announcement"}
CONFERENCE_STATUSES = ("init", "in-progress", "completed")


@bp.get("/Conferences.json")
def list_conferences() -> Response:
    switch = simulator().switch
    name, status = request.args.get("FriendlyName"), request.args.get("Status")
    if status is not None and status not in CONFERENCE_STATUSES:
        raise TwilioError(
            400, errors.INVALID_PARAMETER, f"Status must be one of {', '.join(CONFERENCE_STATUSES)}"
        )
    with switch.transaction():
        records = switch.records

        def keep(conference: Conference) -> bool:
            return (name is None or conference.friendly_name == name) and (
                status is None or conference.status == status
            )

        older, newer = newest_first(records.conference_candidates(name), lambda c: c.seq, keep)
        return listing(
            "conferences",
            older,
            newer,
            lambda sid: records.conferences[sid].seq if sid in records.conferences else None,
            Conference.to_json,
            query_filters("FriendlyName", "Status"),
        )


@bp.get("/Conferences/<sid>.json")
def fetch_conference(sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction():
        return reply(conferencing.find(switch, sid, request.path).to_json())


@bp.post("/Conferences/<sid>.json")
def update_conference(sid: str) -> Response:
    switch = simulator().switch
    status = text("Status")
    if status is not None and status != "completed":
        raise TwilioError(400, errors.INVALID_PARAMETER, "Status can only be set to completed")
    with switch.transaction(deferred=True):
        conference = conferencing.find(switch, sid, request.path)
        if status == "completed":
            conferencing.end(switch, conference, "conference-ended-via-api", None)
        return reply(conference.to_json())


@bp.post("/Conferences/<sid>/Participants.json")
def create_participant(sid: str) -> Response:
    sim = simulator()
    switch = sim.switch
    options = _participant_call(sim.owned_caller_ids())
    with switch.transaction(deferred=True):
        conference = switch.records.conferences.get(sid)
        if conference is None:
            if sid.startswith("CF") and len(sid) == 34:
                raise errors.not_found(request.path)
            conference = conferencing.live_or_new(switch, sid)
        conferencing.subscribe(
            conference,
            text("ConferenceStatusCallback"),
            method("ConferenceStatusCallbackMethod"),
            events("ConferenceStatusCallbackEvent", CONFERENCE_EVENTS, frozenset()),
        )
        participant = Participant(
            call_sid="",
            conference_sid=conference.sid,
            account_sid=switch.account_sid,
            created=switch.clock.now(),
            label=text("Label"),
            muted=flag("Muted", False),
            coaching=flag("Coaching", False),
            call_sid_to_coach=text("CallSidToCoach"),
            start_conference_on_enter=flag("StartConferenceOnEnter", True),
            end_conference_on_exit=flag("EndConferenceOnExit", False),
        )
        conferencing.add_participant(switch, conference, options, participant)
        return reply(participant.to_json(), 201)


def _participant_call(caller_ids: frozenset[str]) -> CallOptions:
    """The participant's own call: the Calls API fields (no TwiML), with AMD reported asynchronously."""
    options = call_options(caller_ids, needs_voice=False)
    options.timeout = number("Timeout", 60, 5, 600)
    if options.machine_detection:
        options.async_amd = True
        options.async_amd_status_callback = text("AmdStatusCallback")
        options.async_amd_status_callback_method = method("AmdStatusCallbackMethod")
    return options


@bp.get("/Conferences/<sid>/Participants.json")
def list_participants(sid: str) -> Response:
    switch = simulator().switch
    wanted = {
        name: wire.boolean(request.args.get(name), False)
        for name in ("Muted", "Hold", "Coaching")
        if request.args.get(name)
    }
    with switch.transaction():
        conference = conferencing.find(switch, sid, request.path)
        members = [
            participant
            for participant in conference.participants.values()
            if all(getattr(participant, name.lower()) == value for name, value in wanted.items())
        ]
        after, before, position = display_order(members, lambda participant: participant.call_sid)
        return listing(
            "participants",
            after,
            before,
            position,
            Participant.to_json,
            query_filters("Muted", "Hold", "Coaching"),
        )


@bp.get("/Conferences/<sid>/Participants/<call_sid>.json")
def fetch_participant(sid: str, call_sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction():
        _conference, participant = _participant(sid, call_sid)
        return reply(participant.to_json())


@bp.post("/Conferences/<sid>/Participants/<call_sid>.json")
def update_participant(sid: str, call_sid: str) -> Response:
    switch = simulator().switch
    hold, muted = optional_flag("Hold"), optional_flag("Muted")
    hold_url = text("HoldUrl")
    with switch.transaction(deferred=True):
        conference, participant = _participant(sid, call_sid)
        conferencing.update(switch, conference, participant, hold=hold, muted=muted, hold_url=hold_url)
        return reply(participant.to_json())


@bp.delete("/Conferences/<sid>/Participants/<call_sid>.json")
def delete_participant(sid: str, call_sid: str) -> Response:
    switch = simulator().switch
    with switch.transaction(deferred=True):
        _conference, participant = _participant(sid, call_sid)
        call = switch.records.calls[participant.call_sid]
        conferencing.leave(switch, call, reason="participant_kicked", kicked=True)
    return Response(status=204)


def _participant(sid: str, call_sid: str) -> tuple[Conference, Participant]:
    switch = simulator().switch
    conference = conferencing.find(switch, sid, request.path)
    participant = conference.find(call_sid)
    if participant is None:
        raise errors.not_found(request.path)
    return conference, participant
