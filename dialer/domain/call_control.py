"""What the telephony provider should do with a live call, in campaign terms (rendered as TwiML by an adapter).

Use cases return these values; the voice webhooks render them. Keeping them here means the call
flow is tested without XML, and a different provider would only need a different renderer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JoinSeat:
    """Put the call into a seat's conference.

    The volunteer's own leg starts the conference; a voter's leg does not, so the seat outlives
    each conversation. Neither ends it by leaving: a volunteer whose audio drops mid-conversation
    comes back to the same voter, held meanwhile (ending a seat hangs its voter up explicitly).
    """

    conference: str
    events_url: str
    volunteer: bool = False


@dataclass(frozen=True)
class InformationMessage:
    """Ofcom's message for an answered call no volunteer can take, then hang up."""

    text: str


@dataclass(frozen=True)
class HoldMessage:
    """What a voter hears on hold while their volunteer's audio reconnects: the message, a pause,
    then the same again from `again_url`."""

    text: str
    again_url: str
    pause_s: int = 15


@dataclass(frozen=True)
class ConfirmVolunteer:
    """Ask whoever answered the volunteer's own phone to press 1 (so voicemail never takes a seat)."""

    prompt: str
    action_url: str
    timeout_s: int = 10


@dataclass(frozen=True)
class OptOutOffer:
    """Tell someone who rang a campaign's number who called them and why, and offer "press 1 to
    never be called again" (the key pressed goes to `action_url`); `no_choice` if they press nothing."""

    text: str
    action_url: str
    timeout_s: int = 8
    no_choice: str = "Thank you for calling. Goodbye."


@dataclass(frozen=True)
class Goodbye:
    """Say something short (or nothing) and hang up."""

    text: str = ""


CallInstruction = JoinSeat | InformationMessage | HoldMessage | ConfirmVolunteer | OptOutOffer | Goodbye
