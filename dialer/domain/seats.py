"""A volunteer's calling seat: the states it moves through, its named moves, and its named groups.

This module is the one place that names a seat's states. Everything else asks for a named move
(`DIAL`, `VOTER_LEFT`, ...) or a named group (`IDLE`, `ON_A_CALL`, ...); the one module that
applies moves (`dialer.services.calling.seat_moves`) carries them out, and the Redis seat board and
its Lua scripts take the states they compare and write as arguments from here.

Being away is not a state of its own: when the volunteer's audio (their page, their wifi, their
phone) goes mid-conversation, the seat keeps its state (the voter is still on the line, or the
outcome is still to record) and is marked away for a grace period, while the voter is held.
`WHILE_AWAY` says which moves a seat may make meanwhile: none that would give it another voter.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class SeatState(StrEnum):
    CONNECTING = "connecting"  # the volunteer's audio leg is being set up (press 1 to confirm)
    READY = "ready"  # idle, waiting for a voter
    DIALING = "dialing"  # preview/power: a call for this seat is ringing
    CONNECTED = "connected"  # talking to a voter
    WRAP_UP = "wrap_up"  # the voter hung up; the volunteer is recording the outcome
    PAUSED = "paused"
    ENDED = "ended"


#: The state every seat starts in: its volunteer's audio is on its way.
START = SeatState.CONNECTING

#: States in which the seat still exists (its conference is up or being set up).
LIVE_SEAT_STATES = frozenset(set(SeatState) - {SeatState.ENDED})


class AudioLeg(StrEnum):
    """How the volunteer hears the call: in the browser, or on their own phone."""

    BROWSER = "browser"
    PHONE = "phone"


#: Which state a seat may move to from each state; anything else is a stale or confused request.
TRANSITIONS: dict[SeatState, frozenset[SeatState]] = {
    SeatState.CONNECTING: frozenset({SeatState.READY, SeatState.ENDED}),
    SeatState.READY: frozenset({SeatState.DIALING, SeatState.CONNECTED, SeatState.PAUSED, SeatState.ENDED}),
    # DIALING -> PAUSED: an unanswered call ends a seat whose volunteer asked to pause after it.
    SeatState.DIALING: frozenset({SeatState.CONNECTED, SeatState.READY, SeatState.PAUSED, SeatState.ENDED}),
    SeatState.CONNECTED: frozenset({SeatState.WRAP_UP, SeatState.ENDED}),
    SeatState.WRAP_UP: frozenset({SeatState.READY, SeatState.PAUSED, SeatState.ENDED}),
    SeatState.PAUSED: frozenset({SeatState.READY, SeatState.ENDED}),
    SeatState.ENDED: frozenset(),
}


#: States in which the volunteer's audio going away holds the seat for them (a conversation in hand,
#: or a pause they will come back from) instead of ending it.
HELD_WHEN_AWAY = frozenset({SeatState.CONNECTED, SeatState.WRAP_UP, SeatState.PAUSED})

#: The moves a seat whose volunteer is away may make: the voter hanging up, the outcome saved from a
#: page that lost only its audio (the seat then pauses), or the grace period running out.
WHILE_AWAY: dict[SeatState, frozenset[SeatState]] = {
    SeatState.CONNECTED: frozenset({SeatState.WRAP_UP, SeatState.PAUSED, SeatState.ENDED}),
    SeatState.WRAP_UP: frozenset({SeatState.PAUSED, SeatState.ENDED}),
    SeatState.PAUSED: frozenset({SeatState.ENDED}),
}

#: How long a seat waits for its volunteer to come back, unless the campaign says otherwise.
DEFAULT_GRACE = timedelta(seconds=60)
#: The campaign setting's bounds: long enough to reload a page, short enough that a voter on hold
#: is not kept waiting for someone who has gone.
GRACE_BOUNDS_S = (15, 300)


#: Waiting for a voter: the seats in their campaign's idle set, the ones a dial or an answer may take.
IDLE = frozenset({SeatState.READY})
#: The volunteer's audio has not joined yet (the phone is ringing, or the press-1 prompt is playing).
AWAITING_AUDIO = frozenset({SeatState.CONNECTING})
#: Talking to a voter.
TALKING = frozenset({SeatState.CONNECTED})
#: The voter has gone and the volunteer is recording the outcome.
WRAPPING_UP = frozenset({SeatState.WRAP_UP})
#: Paused by the volunteer (or while their browser leg is swapped).
ON_A_BREAK = frozenset({SeatState.PAUSED})
#: Not busy with any call: the seat holds no call id.
CALL_FREE = frozenset({SeatState.CONNECTING, SeatState.READY, SeatState.PAUSED, SeatState.ENDED})
#: A call under way for the seat (ringing or talking): a pause asked for now waits for it to end.
ON_A_CALL = frozenset({SeatState.DIALING, SeatState.CONNECTED})
#: A voter in hand: on the line, or their outcome still to record.
WITH_A_VOTER = TALKING | WRAPPING_UP
#: No voter on the line: the volunteer's leg may be swapped for a fresh one.
QUIET = IDLE | WRAPPING_UP | ON_A_BREAK
#: What the predictive pacer reads: idle seats, and how long the busy ones have been busy.
PACED = IDLE | TALKING | WRAPPING_UP


def can_move(current: SeatState, target: SeatState, *, away: bool = False) -> bool:
    if away:
        return target in WHILE_AWAY.get(current, frozenset())
    return target in TRANSITIONS[current]


def sources_of(target: SeatState) -> frozenset[SeatState]:
    """Every state from which a seat may move to `target`."""
    return frozenset(state for state, targets in TRANSITIONS.items() if target in targets)


@dataclass(frozen=True)
class SeatMove:
    """A named move: a seat in one of `sources` goes to `target` (compare-and-set on those states)."""

    name: str
    sources: frozenset[SeatState]
    target: SeatState


def _move(name: str, sources: frozenset[SeatState], target: SeatState) -> SeatMove:
    """A move the table allows from every one of its sources: directly, or (for a conversation whose
    outcome is saved while the voter is still on the line, and then hung up on) by way of wrap-up."""
    for source in sources:
        through_wrap_up = can_move(source, SeatState.WRAP_UP) and can_move(SeatState.WRAP_UP, target)
        if not (can_move(source, target) or through_wrap_up):
            raise ValueError(f"{name}: the transition table has no move {source} -> {target}")
    return SeatMove(name, sources, target)


#: The volunteer's audio joined (browser leg in, or a 1 pressed on their phone).
AUDIO_JOINED = _move("audio joined", AWAITING_AUDIO, SeatState.READY)
#: A call is dialled for the seat (preview: the volunteer pressed Dial; power: the pacer reserved it).
DIAL = _move("dial", IDLE, SeatState.DIALING)
#: A reservation the pacer could not use (no voter to call): the seat is idle again.
DIAL_UNDONE = _move("dial undone", frozenset({SeatState.DIALING}), SeatState.READY)
#: A reserved seat the record says has ended: the board lets it go.
RESERVED_SEAT_GONE = _move("reserved seat gone", frozenset({SeatState.DIALING}), SeatState.ENDED)
#: The voter the seat was dialling answered.
ANSWERED = _move("answered", frozenset({SeatState.DIALING}), SeatState.CONNECTED)
#: An idle seat takes a voter who answered a call placed for nobody in particular.
TAKEN_BY_ANSWER = _move("taken by answer", IDLE, SeatState.CONNECTED)
#: The voter hung up (or was hung up on): the volunteer records the outcome.
VOTER_LEFT = _move("voter left", TALKING, SeatState.WRAP_UP)
#: The seat's call ended without a conversation (no answer, busy, failed, never placed).
UNANSWERED = _move("unanswered", frozenset({SeatState.DIALING}), SeatState.READY)
#: ... for a seat whose volunteer asked to pause after the call.
UNANSWERED_THEN_PAUSE = _move("unanswered, then pause", frozenset({SeatState.DIALING}), SeatState.PAUSED)
#: The outcome is saved: the seat takes the next voter.
OUTCOME_SAVED = _move("outcome saved", WITH_A_VOTER, SeatState.READY)
#: ... for a seat whose volunteer asked to pause (or whose audio is away).
OUTCOME_SAVED_THEN_PAUSE = _move("outcome saved, then pause", WITH_A_VOTER, SeatState.PAUSED)
#: The volunteer pauses between calls.
PAUSE = _move("pause", IDLE | WRAPPING_UP, SeatState.PAUSED)
#: An idle seat is paused while its browser leg is swapped for a fresh one.
PAUSE_FOR_NEW_LEG = _move("pause for a new leg", IDLE, SeatState.PAUSED)
#: Out of a pause.
RESUME = _move("resume", ON_A_BREAK, SeatState.READY)
#: The seat ends, from wherever it is.
END = _move("end", sources_of(SeatState.ENDED), SeatState.ENDED)
#: A seat whose audio never joined ends (only if it still has not).
END_UNCONNECTED = _move("end unconnected", AWAITING_AUDIO, SeatState.ENDED)
