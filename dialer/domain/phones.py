"""Phone numbers as the product stores them: E.164, read with UK conventions by default."""

from __future__ import annotations

import phonenumbers

from dialer.errors import InvalidInput

#: Numbers written without a country code are read as UK numbers.
DEFAULT_REGION = "GB"


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of `raw` (e.g. "07700 900123" -> "+447700900123"), or InvalidInput saying why.

    Only the length and shape are checked ("possible", not "assigned"): Ofcom's drama ranges, which
    tests and demos use, are not assigned to anyone and would fail a stricter check.
    """
    text = raw.strip()
    if not text:
        raise InvalidInput("enter a phone number")
    if len(text) > 32:
        raise InvalidInput("that is too long to be a phone number")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"{text!r} is not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput(f"{text!r} has the wrong number of digits for a phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked(phone_e164: str) -> str:
    """A number with all but its last three digits hidden, for admin lists ("+44 ••• ••• •123")."""
    return "•••• " + phone_e164[-3:] if len(phone_e164) > 3 else "••••"
