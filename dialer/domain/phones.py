"""Phone numbers: normalised to E.164, valid, or in one of Ofcom's ranges reserved for drama.

libphonenumber calls the drama ranges invalid because they are never assigned to anyone, which is
exactly why demos, tests and training campaigns use them; they are accepted as such.
"""

from __future__ import annotations

import hmac

import phonenumbers

from dialer.errors import InvalidInput

#: Numbers written without a country code are read as UK numbers.
DEFAULT_REGION = "GB"

#: Ofcom's numbers for TV, radio and film (E.164 prefixes; each is followed by the last digits).
DRAMA_RANGES = (
    "+447700900",  # mobile: 07700 900000-900999
    "+442079460",  # London: 020 7946 0000-0999
    "+441134960",  # Leeds
    "+441144960",  # Sheffield
    "+441154960",  # Nottingham
    "+441164960",  # Leicester
    "+441174960",  # Bristol
    "+441184960",  # Reading
    "+441214960",  # Birmingham
    "+441314960",  # Edinburgh
    "+441414960",  # Glasgow
    "+441514960",  # Liverpool
    "+441614960",  # Manchester
    "+441914980",  # Tyneside
    "+442920180",  # Cardiff
    "+442896496",  # Belfast
    "+441632960",  # no area
    "+448081570",  # freephone
)


def is_drama_number(e164: str) -> bool:
    return len(e164) == 13 and e164.startswith(DRAMA_RANGES)


def normalise_phone(raw: str, *, region: str = DEFAULT_REGION, what: str = "phone number") -> str:
    """The E.164 form of `raw` (e.g. "07700 900123" -> "+447700900123"), or InvalidInput saying why."""
    text = raw.strip()
    if not text:
        raise InvalidInput(f"enter a {what}")
    if len(text) > 32:
        raise InvalidInput(f"that is too long to be a {what}")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"{what} {text!r} is not a phone number") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # Asking about the default region first is about twice as fast as letting phonenumbers work out
    # the region, and it is the answer for nearly every number (a 100,000-voter import asks 100,000 times).
    if (
        phonenumbers.is_valid_number_for_region(number, region)
        or phonenumbers.is_valid_number(number)
        or (phonenumbers.is_possible_number(number) and is_drama_number(e164))
    ):
        return e164
    raise InvalidInput(f"{what} {text!r} is not a valid, callable phone number")


def national(e164: str) -> str:
    """How a UK listener would read the number (e.g. 020 7946 0000)."""
    return phonenumbers.format_number(
        phonenumbers.parse(e164, DEFAULT_REGION), phonenumbers.PhoneNumberFormat.NATIONAL
    )


def masked(phone_e164: str) -> str:
    """A number with all but its last three digits hidden, for admin lists ("•••• 123")."""
    return "•••• " + phone_e164[-3:] if len(phone_e164) > 3 else "••••"


def number_key(secret_key: str) -> bytes:
    """The key of the numbers' fingerprints, derived from the deployment's secret (a leaked database
    alone does not let anyone test numbers against the fingerprints)."""
    return hmac.new(
        secret_key.encode(), b"marginal: fingerprints of erased do-not-call numbers", "sha256"
    ).digest()


def fingerprint(phone_e164: str, key: bytes) -> str:
    """A keyed one-way fingerprint of a number: what the do-not-call list keeps of a person who was
    erased, so that the number, imported again, is still never called."""
    return hmac.new(key, phone_e164.encode(), "sha256").hexdigest()


UK_COUNTRY_CODE = 44
#: What "call my phone" may ring: UK landlines and mobiles. Premium-rate, shared-cost, personal and
#: international numbers are refused (a call to them costs the campaign, or earns someone money).
_VOLUNTEER_PHONE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


def volunteer_phone(raw: str, *, any_number: bool = False) -> str:
    """A volunteer's own number as E.164 (UK by default), if it is one Marginal will ring; with
    `any_number` (an admin allowed it for the account), any valid number."""
    e164 = normalise_phone(raw, what="phone number")
    number = phonenumbers.parse(e164)
    if any_number:
        ringable = True
    elif is_drama_number(e164):
        ringable = not e164.startswith("+44808")  # the drama ranges' geographic and mobile numbers
    else:
        ringable = (
            number.country_code == UK_COUNTRY_CODE  # with the Channel Islands and Man, which share +44
            and phonenumbers.number_type(number) in _VOLUNTEER_PHONE_TYPES
        )
    if not ringable:
        raise InvalidInput(
            "we can only ring UK landline and mobile numbers (not premium-rate, shared-cost, "
            "freephone or international ones, unless an admin allows them)"
        )
    return e164
