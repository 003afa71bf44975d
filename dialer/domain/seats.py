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
