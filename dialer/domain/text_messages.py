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
from string import Formatter

import phonenumbers

from dialer.domain.calling_hours import LONDON
from dialer.errors import InvalidInput

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


#: The wording of each text before a campaign changes it ({title}, {when} and {place} are filled in).
DEFAULT_WORDING: dict[tuple[Purpose, SignupKind], str] = {
    (Purpose.LINK, SignupKind.EVENT): "thank you for joining {title}, {when}, meeting at {place}.",
    (Purpose.LINK, SignupKind.CARPOOL): "your lift to {title} leaves {when} from {place}.",
    (Purpose.LINK, SignupKind.PLEDGE): "thank you for your pledge: {title}",
    (Purpose.REMINDER, SignupKind.EVENT): "a reminder: {title} is tomorrow, {when}, meeting at {place}.",
    (
        Purpose.REMINDER,
        SignupKind.CARPOOL,
    ): "a reminder: your lift to {title} leaves tomorrow, {when}, from {place}.",
}
PLACES = ("title", "when", "place")
MAX_WORDING = 240


def check_wording(wording: str) -> str:
    """A campaign's wording for one text, or InvalidInput saying what is wrong with it."""
    text = " ".join(wording.split())
    if not text:
        raise InvalidInput("write the text, or leave the campaign's default")
    if len(text) > MAX_WORDING:
        raise InvalidInput(f"a text's wording may be at most {MAX_WORDING} characters")
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        raise InvalidInput("a { or } without its pair: write {title}, {when} or {place}") from None
    if any(spec or conversion for _, spec, conversion in fields):
        raise InvalidInput("write {title}, {when} or {place} as they are, with nothing after a : or !")
    names = [name for name, _, _ in fields]
    unknown = sorted({name for name in names if name not in PLACES})
    if unknown:
        raise InvalidInput(f"{{{unknown[0]}}} is not known: use {{title}}, {{when}} or {{place}}")
    return text


def text_body(
    campaign: str, purpose: Purpose, details: SignupDetails, link: str, wording: str | None = None
) -> str:
    """The campaign's text for a sign-up (its own wording, else the default), with its link; the
    campaign's name leads and the opt-out ends every text, whatever the wording."""
    template = wording or DEFAULT_WORDING[(purpose, details.kind)]
    lead = template.format(
        title=details.title, when=_when(details.at) if details.at else "", place=details.place
    )
    return f"{campaign}: {lead} Details: {link} {STOP_LINE}"


def _when(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"
