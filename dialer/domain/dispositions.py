"""How a call ended from the campaign's point of view, and what each outcome means for retrying."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Disposition(StrEnum):
    TALKED = "talked"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    MACHINE = "machine"
    CALL_BACK = "call_back"
    WRONG_NUMBER = "wrong_number"
    REFUSED = "refused"
    DO_NOT_CALL = "do_not_call"
    MOVED = "moved"
    DECEASED = "deceased"
    LANGUAGE_BARRIER = "language_barrier"
    ABANDONED = "abandoned"  # recorded by the system, never by a volunteer
    CARRIER_FAILURE = "carrier_failure"  # the network could not complete the call (system only)


@dataclass(frozen=True)
class RetryRule:
    """Whether a voter with this outcome may be called again, and how soon.

    `retry_after` None means never again for this campaign. `suppress` adds the number to the
    cross-campaign do-not-call list (opt-outs are absolute); `disconnect` marks the number dead.
    """

    label: str
    shortcut: str
    retry_after: timedelta | None
    suppress: bool = False
    dead_number: bool = False
    by_volunteer: bool = True


#: A voter's calls that the network failed (congestion, temporary failures) do not count against
#: their attempts, up to this many; after that each one counts, so a number that never connects
#: still runs out of attempts.
UNCOUNTED_CARRIER_FAILURES = 3

#: Ofcom: no further call within 72 hours of an abandoned one.
ABANDON_BLOCK = timedelta(hours=72)

DEFAULT_RULES: dict[Disposition, RetryRule] = {
    Disposition.TALKED: RetryRule("Talked to voter", "1", None),
    Disposition.NO_ANSWER: RetryRule("Not in / no answer", "2", timedelta(hours=4)),
    Disposition.BUSY: RetryRule("Busy", "3", timedelta(hours=1)),
    Disposition.MACHINE: RetryRule("Answering machine", "4", timedelta(hours=24)),
    Disposition.CALL_BACK: RetryRule("Call back later", "5", timedelta(0)),
    Disposition.WRONG_NUMBER: RetryRule("Wrong number", "6", None, dead_number=True),
    Disposition.REFUSED: RetryRule("Refused", "7", None),
    Disposition.DO_NOT_CALL: RetryRule("Do not call", "8", None, suppress=True),
    Disposition.MOVED: RetryRule("Moved away", "9", None),
    Disposition.DECEASED: RetryRule("Deceased", "0", None, suppress=True),
    Disposition.LANGUAGE_BARRIER: RetryRule("Language barrier", "l", timedelta(days=7)),
    Disposition.ABANDONED: RetryRule("Abandoned (no volunteer free)", "", ABANDON_BLOCK, by_volunteer=False),
    Disposition.CARRIER_FAILURE: RetryRule(
        "Network failure (tried again)", "", timedelta(minutes=30), by_volunteer=False
    ),
}
