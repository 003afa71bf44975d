"""Whether a voter may be dialled now, and if not, why: the compliance guards every dial passes.

The rules are the campaign's (calling hours, max attempts) plus the law's (TPS, the cross-campaign
do-not-call list, Ofcom's 72-hour block after an abandoned call), checked in one place so the queue,
the pacer and the preview card cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from dialer.domain.calling_hours import CallingHours
from dialer.domain.dispositions import Disposition


class DialFacts(Protocol):
    """What the rules need to know about a voter (the Voter table row satisfies it)."""

    phone_e164: str | None
    tps: bool
    do_not_call: bool
    done: bool
    attempts: int
    next_call_at: datetime | None
    blocked_until: datetime | None
    erased_at: datetime | None


class NotCallable(StrEnum):
    NO_NUMBER = "no_number"
    ERASED = "erased"
    SUPPRESSED = "suppressed"
    TPS = "tps"
    DO_NOT_CALL = "do_not_call"
    DONE = "done"
    MAX_ATTEMPTS = "max_attempts"
    BLOCKED_AFTER_ABANDON = "blocked_after_abandon"
    NOT_YET_DUE = "not_yet_due"
    OUTSIDE_HOURS = "outside_hours"
    IN_A_CALL = "in_a_call"
    DIALLED_TODAY_ELSEWHERE = "dialled_today_elsewhere"

    @property
    def permanent(self) -> bool:
        """True when nothing but a change to the voter's record could make them callable again."""
        return self in _PERMANENT


_PERMANENT = frozenset(
    {
        NotCallable.NO_NUMBER,
        NotCallable.ERASED,
        NotCallable.SUPPRESSED,
        NotCallable.TPS,
        NotCallable.DO_NOT_CALL,
        NotCallable.DONE,
        NotCallable.MAX_ATTEMPTS,
    }
)


@dataclass(frozen=True)
class Circumstances:
    """What is true outside the voter's own record at the moment of the dial."""

    suppressed: bool = False
    in_a_call: bool = False
    dialled_today_elsewhere: bool = False
    call_back_requested: bool = False  # a voter who asked to be called back is owed that call
    #: The 72-hour block on the number itself (an abandoned call to anyone who shares it).
    number_blocked_until: datetime | None = None
    #: The number is registered with the TPS: a list flags someone else who shares it.
    number_on_tps: bool = False


def reason_not_to_call(
    voter: DialFacts,
    *,
    max_attempts: int,
    hours: CallingHours,
    now: datetime,
    circumstances: Circumstances = Circumstances(),
) -> NotCallable | None:
    """None when the voter may be dialled at `now`; otherwise the first rule that forbids it."""
    if not voter.phone_e164:
        return NotCallable.NO_NUMBER
    if voter.erased_at is not None:
        return NotCallable.ERASED
    if circumstances.suppressed:
        return NotCallable.SUPPRESSED
    if voter.tps or circumstances.number_on_tps:
        return NotCallable.TPS
    if voter.do_not_call:
        return NotCallable.DO_NOT_CALL
    if voter.done:
        return NotCallable.DONE
    if voter.attempts >= max_attempts and not circumstances.call_back_requested:
        return NotCallable.MAX_ATTEMPTS
    if any(until is not None and now < until for until in blocks(voter, circumstances)):
        return NotCallable.BLOCKED_AFTER_ABANDON
    if voter.next_call_at is not None and now < voter.next_call_at:
        return NotCallable.NOT_YET_DUE
    if not hours.is_open(now):
        return NotCallable.OUTSIDE_HOURS
    if circumstances.in_a_call:
        return NotCallable.IN_A_CALL
    if circumstances.dialled_today_elsewhere:
        return NotCallable.DIALLED_TODAY_ELSEWHERE
    return None


def owed_a_call_back(
    latest_disposition: Disposition | None, call_back_at: datetime | None, next_call_at: datetime | None
) -> bool:
    """True when the voter's latest outcome asked for a call-back at the time they are now due."""
    return (
        latest_disposition is Disposition.CALL_BACK
        and call_back_at is not None
        and next_call_at is not None
        and call_back_at == next_call_at
    )


def blocks(voter: DialFacts, circumstances: Circumstances) -> tuple[datetime | None, datetime | None]:
    """The 72-hour blocks on the voter: their own record's and their number's."""
    return voter.blocked_until, circumstances.number_blocked_until


def earliest_call(voter: DialFacts, circumstances: Circumstances = Circumstances()) -> datetime | None:
    """The first moment the voter's record (and their number's block) allows a call (None: as soon
    as hours allow)."""
    candidates = (voter.next_call_at, *blocks(voter, circumstances))
    moments = [moment for moment in candidates if moment is not None]
    return max(moments) if moments else None
