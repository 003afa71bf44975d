"""Texts to voters: which numbers can take them, the words that opt out, and the campaign's wording.

A volunteer never writes a text: each is one of the templates below, filled in with the campaign's
name and the sign-up's details, and each says how to stop them (PECR: an opt-out in every message).
The opt-out words are the ones Twilio's own opt-out handling honours, so the product and the
provider agree on who has stopped texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import phonenumbers

from dialer.domain.calling_hours import LONDON

#: Twilio's standard opt-out and opt-in keywords, matched on the whole reply (any case).
OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})
#: Ofcom's drama mobiles (07700 900xxx): libphonenumber calls them unassigned, they are mobiles.
DRAMA_MOBILES = "+447700900"
STOP_LINE = "Reply STOP to opt out."


class SignupKind(StrEnum):
    EVENT = "event"
    CARPOOL = "carpool"
    PLEDGE = "pledge"


class Purpose(StrEnum):
    LINK = "link"  # sent by the volunteer after the call
    REMINDER = "reminder"  # sent by the system the day before


def can_take_texts(phone_e164: str) -> bool:
    """True for a mobile number; a landline (or a number of unknown kind) cannot take texts."""
    if phone_e164.startswith(DRAMA_MOBILES):
        return True
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(phone_e164))
    except phonenumbers.NumberParseException:
        return False
    return kind is phonenumbers.PhoneNumberType.MOBILE


def reply_word(body: str) -> str | None:
    """ "STOP" for an opt-out reply, "START" for an opt-in, None for anything else."""
    word = body.strip().upper()
    if word in OPT_OUT_WORDS:
        return "STOP"
    if word in OPT_IN_WORDS:
        return "START"
    return None


@dataclass(frozen=True)
class SignupDetails:
    """What a text says about a sign-up (nothing about the voter: a text may sit on a shared phone)."""

    kind: SignupKind
    title: str  # the event, the event a lift goes to, or the pledge's words
    at: datetime | None = None  # when the event starts or the lift leaves
    place: str = ""  # the meeting or pickup postcode


def text_body(campaign: str, purpose: Purpose, details: SignupDetails, link: str) -> str:
    """The campaign's text for a sign-up, with its link."""
    when = _when(details.at) if details.at else ""
    if purpose is Purpose.REMINDER:
        lead = {
            SignupKind.EVENT: f"a reminder: {details.title} is tomorrow, {when}, meeting at {details.place}.",
            SignupKind.CARPOOL: f"a reminder: your lift to {details.title} leaves tomorrow, {when}, "
            f"from {details.place}.",
            SignupKind.PLEDGE: f"a reminder of your pledge: {details.title}",
        }[details.kind]
    else:
        lead = {
            SignupKind.EVENT: f"thank you for joining {details.title}, {when}, meeting at {details.place}.",
            SignupKind.CARPOOL: f"your lift to {details.title} leaves {when} from {details.place}.",
            SignupKind.PLEDGE: f"thank you for your pledge: {details.title}",
        }[details.kind]
    return f"{campaign}: {lead} Details: {link} {STOP_LINE}"


def _when(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"
