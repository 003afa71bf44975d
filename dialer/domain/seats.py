"""A volunteer's seat in a calling session, and the states it moves through.

Being away is not a state of its own: when the volunteer's audio (their page, their wifi, their
phone) goes mid-conversation, the seat keeps its state (the voter is still on the line, or the
outcome is still to record) and is marked away for a grace period, while the voter is held.
`WHILE_AWAY` says which moves a seat may make meanwhile: none that would give it another voter.
"""

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


def can_move(current: SeatState, target: SeatState, *, away: bool = False) -> bool:
    if away:
        return target in WHILE_AWAY.get(current, frozenset())
    return target in TRANSITIONS[current]


def sources_of(target: SeatState) -> frozenset[SeatState]:
    """Every state from which a seat may move to `target`."""
    return frozenset(state for state, targets in TRANSITIONS.items() if target in targets)
