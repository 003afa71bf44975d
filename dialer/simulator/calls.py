"""A call as Twilio models it: the request that made it, its status over time and its JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dialer.simulator import wire
from dialer.simulator.behaviours import Behaviour

if TYPE_CHECKING:
    from dialer.clock import Timer
    from dialer.simulator.twiml import Verb
    from dialer.simulator.webhooks import WebhookRequest

QUEUED, RINGING, IN_PROGRESS = "queued", "ringing", "in-progress"
COMPLETED, BUSY, FAILED, NO_ANSWER, CANCELED = "completed", "busy", "failed", "no-answer", "canceled"
TERMINAL = frozenset({COMPLETED, BUSY, FAILED, NO_ANSWER, CANCELED})
#: Status-callback events a call can subscribe to (terminal statuses all count as `completed`).
EVENTS = ("initiated", "ringing", "answered", "completed")
#: SIP response codes Twilio reports with each outcome.
SIP_CODES = {COMPLETED: 200, BUSY: 486, NO_ANSWER: 487, CANCELED: 487, FAILED: 404}


@dataclass
class CallOptions:
    """What the creator asked for (Calls API form fields, <Dial> attributes or a SimPhone's params)."""

    to: str
    from_: str
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    application_sid: str | None = None
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: frozenset[str] = frozenset({"completed"})
    timeout: float = 60.0
    time_limit: float = 14_400.0
    machine_detection: str | None = None
    machine_detection_timeout: float = 30.0
    async_amd: bool = False
    async_amd_status_callback: str | None = None
    async_amd_status_callback_method: str = "POST"
    custom_params: dict[str, str] = field(default_factory=dict)


@dataclass
class Program:
    """Where a call is in its TwiML document: the verbs, the next one's place, the document's URL
    (relative URLs resolve against it) and the verb playing now (program.py plays them)."""

    verbs: list[Verb]
    index: int
    url: str | None
    current: Verb | None = None


@dataclass(eq=False)
class Call:
    sid: str
    account_sid: str
    options: CallOptions
    direction: str
    created: datetime
    seq: int
    behaviour: Behaviour | None = None
    parent_call_sid: str | None = None
    status: str = QUEUED
    updated: datetime | None = None
    start_time: datetime | None = None
    answered_at: datetime | None = None
    end_time: datetime | None = None
    queue_time_ms: int = 0
    answered_by: str | None = None
    amd_duration_ms: int | None = None
    sip_response_code: int | None = None
    #: How many status callbacks have been sent (each carries its SequenceNumber).
    callbacks_sent: int = 0
    #: A status callback held back by an out-of-order fault, released after the next one.
    held_callback: WebhookRequest | None = None
    #: Bumped whenever the running TwiML is abandoned (redirect, hang-up): stale timers see it.
    epoch: int = 0
    program: Program | None = None
    conference_sid: str | None = None
    bridged_to: str | None = None
    talking: bool = False
    limit_round: int = 0  # moves on with each TimeLimit, so the previous limit's timer does nothing
    phone: str | None = None
    muted: bool = False
    #: Timers to cancel when the call ends (callee hang-ups, time limit, verbs playing).
    timers: list[Timer] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.status not in TERMINAL

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def duration_s(self, now: datetime) -> int:
        if self.answered_at is None:
            return 0
        end = self.end_time or now
        return int((end - self.answered_at).total_seconds())

    def uri(self) -> str:
        return f"{wire.account_path(self.account_sid)}/Calls/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        base = f"{wire.account_path(self.account_sid)}/Calls/{self.sid}"
        subresources = (
            "notifications",
            "recordings",
            "payments",
            "events",
            "siprec",
            "streams",
            "transcriptions",
            "user_defined_message_subscriptions",
            "user_defined_messages",
        )
        return {
            "account_sid": self.account_sid,
            "answered_by": self.answered_by,
            "api_version": wire.API_VERSION,
            "caller_name": None,
            "date_created": wire.rfc2822(self.created),
            "date_updated": wire.rfc2822(self.updated or self.created),
            "direction": self.direction,
            "duration": None if self.live else str(self.duration_s(self.created)),
            "end_time": wire.rfc2822(self.end_time),
            "forwarded_from": None,
            "from": self.options.from_,
            "from_formatted": wire.formatted(self.options.from_),
            "group_sid": None,
            "parent_call_sid": self.parent_call_sid,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "queue_time": str(self.queue_time_ms),
            "sid": self.sid,
            "start_time": wire.rfc2822(self.start_time),
            "status": self.status,
            "subresource_uris": {name: f"{base}/{_camel(name)}.json" for name in subresources},
            "to": self.options.to,
            "to_formatted": wire.formatted(self.options.to),
            "trunk_sid": None,
            "uri": self.uri(),
        }


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
