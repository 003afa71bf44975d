"""A call's lifecycle as Twilio reports it, and the rule that it never moves backwards."""

from enum import StrEnum


class CallStatus(StrEnum):
    QUEUED = "queued"
    INITIATED = "initiated"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"


FINAL_STATUSES = frozenset(
    {CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED, CallStatus.CANCELED}
)

_RANK = {
    CallStatus.QUEUED: 0,
    CallStatus.INITIATED: 1,
    CallStatus.RINGING: 2,
    CallStatus.IN_PROGRESS: 3,
}


def rank(status: CallStatus) -> int:
    """How far along the lifecycle a status is; every final status outranks every live one."""
    return _RANK.get(status, 4)


def is_advance(current: CallStatus, reported: CallStatus) -> bool:
    """True when `reported` moves a call forward from `current` (late or repeated reports do not)."""
    if current in FINAL_STATUSES:
        return False
    return rank(reported) > rank(current)


class AnsweredBy(StrEnum):
    HUMAN = "human"
    MACHINE_START = "machine_start"
    MACHINE_END_BEEP = "machine_end_beep"
    MACHINE_END_SILENCE = "machine_end_silence"
    MACHINE_END_OTHER = "machine_end_other"
    FAX = "fax"
    UNKNOWN = "unknown"


#: What detection reports for an answer nobody will talk on: hung up on, never put through to a seat.
MACHINE_ANSWERS = frozenset(
    {
        AnsweredBy.MACHINE_START,
        AnsweredBy.MACHINE_END_BEEP,
        AnsweredBy.MACHINE_END_SILENCE,
        AnsweredBy.MACHINE_END_OTHER,
        AnsweredBy.FAX,
    }
)


def reported_status(value: str) -> CallStatus | None:
    """A status as a provider's callback spells it, or None for one we do not know."""
    try:
        return CallStatus(value.strip().lower())
    except ValueError:
        return None


def answered_by(value: str | None) -> AnsweredBy | None:
    if not value:
        return None
    try:
        return AnsweredBy(value.strip().lower())
    except ValueError:
        return AnsweredBy.UNKNOWN
