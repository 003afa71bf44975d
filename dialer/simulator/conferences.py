"""Conferences and their participants as Twilio models them, with their JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialer.simulator import wire
from dialer.simulator.twiml import Dial

INIT, IN_PROGRESS, COMPLETED = "init", "in-progress", "completed"

#: statusCallbackEvent names and the StatusCallbackEvent values they subscribe to.
EVENT_GROUPS = {
    "start": ("conference-start",),
    "end": ("conference-end",),
    "join": ("participant-join",),
    "leave": ("participant-leave",),
    "mute": ("participant-mute", "participant-unmute"),
    "hold": ("participant-hold", "participant-unhold"),
}
DEFAULT_EVENTS = frozenset({"start", "end"})


@dataclass(eq=False)
class Participant:
    call_sid: str
    conference_sid: str
    account_sid: str
    created: datetime
    label: str | None = None
    status: str = "queued"
    muted: bool = False
    hold: bool = False
    hold_url: str | None = None  # what a held participant hears (TwiML at this address)
    coaching: bool = False
    call_sid_to_coach: str | None = None
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    updated: datetime | None = None
    queue_time_ms: int = 0
    #: The <Dial> that put a TwiML call here (its action runs when the participant leaves).
    dial: Dial | None = None

    def uri(self) -> str:
        return (
            f"{wire.account_path(self.account_sid)}/Conferences/{self.conference_sid}"
            f"/Participants/{self.call_sid}.json"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "call_sid": self.call_sid,
            "call_sid_to_coach": self.call_sid_to_coach,
            "coaching": self.coaching,
            "conference_sid": self.conference_sid,
            "date_created": wire.rfc2822(self.created),
            "date_updated": wire.rfc2822(self.updated or self.created),
            "end_conference_on_exit": self.end_conference_on_exit,
            "hold": self.hold,
            "label": self.label,
            "muted": self.muted,
            "queue_time": str(self.queue_time_ms),
            "start_conference_on_enter": self.start_conference_on_enter,
            "status": self.status,
            "uri": self.uri(),
        }


@dataclass(eq=False)
class Conference:
    sid: str
    account_sid: str
    friendly_name: str
    created: datetime
    seq: int
    status: str = INIT
    updated: datetime | None = None
    reason_conference_ended: str | None = None
    call_sid_ending_conference: str | None = None
    callback_url: str | None = None
    callback_method: str = "POST"
    callback_events: frozenset[str] = DEFAULT_EVENTS
    callbacks_sent: int = 0
    #: By call sid, in joining order (pending REST participants included until they fail).
    participants: dict[str, Participant] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        return self.status != COMPLETED

    def connected(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.status == "connected"]

    def find(self, call_sid_or_label: str) -> Participant | None:
        found = self.participants.get(call_sid_or_label)
        if found is not None:
            return found
        return next((p for p in self.participants.values() if p.label == call_sid_or_label), None)

    def subscribes(self, event: str) -> bool:
        return self.callback_url is not None and any(
            event in EVENT_GROUPS.get(group, ()) for group in self.callback_events
        )

    def uri(self) -> str:
        return f"{wire.account_path(self.account_sid)}/Conferences/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        base = f"{wire.account_path(self.account_sid)}/Conferences/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": wire.API_VERSION,
            "call_sid_ending_conference": self.call_sid_ending_conference,
            "date_created": wire.rfc2822(self.created),
            "date_updated": wire.rfc2822(self.updated or self.created),
            "friendly_name": self.friendly_name,
            "reason_conference_ended": self.reason_conference_ended,
            "region": "ie1",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {
                "participants": f"{base}/Participants.json",
                "recordings": f"{base}/Recordings.json",
            },
            "uri": self.uri(),
        }
