"""A volunteer's seat in a calling session, and the states it moves through."""

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


def can_move(current: SeatState, target: SeatState) -> bool:
    return target in TRANSITIONS[current]


def sources_of(target: SeatState) -> frozenset[SeatState]:
    """Every state from which a seat may move to `target`."""
    return frozenset(state for state, targets in TRANSITIONS.items() if target in targets)
