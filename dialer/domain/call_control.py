"""What the telephony provider should do with a live call, in campaign terms (rendered as TwiML by an adapter).

Use cases return these values; the voice webhooks render them. Keeping them here means the call
flow is tested without XML, and a different provider would only need a different renderer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JoinSeat:
    """Put the call into a seat's conference.

    The volunteer's own leg starts the conference and ends it when it leaves; a voter's leg does
    neither, so the seat outlives each conversation.
    """

    conference: str
    events_url: str
    volunteer: bool = False


@dataclass(frozen=True)
class InformationMessage:
    """Ofcom's message for an answered call no volunteer can take, then hang up."""

    text: str


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


CallInstruction = JoinSeat | InformationMessage | ConfirmVolunteer | OptOutOffer | Goodbye
