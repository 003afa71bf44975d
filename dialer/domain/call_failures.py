"""Why a call failed, as the carrier and Twilio report it: the number does not exist, or the network
could not complete the call just now.

Twilio reports a `failed` call with the SIP response code of the far end (`SipResponseCode`) and
sometimes its own error code (`ErrorCode`). Only a number that does not exist retires the voter as a
wrong number; anything else (congestion, a temporary or network failure, a code we do not know) is
the carrier's trouble, not the voter's, and is tried again later.
"""

from __future__ import annotations

from enum import StrEnum


class Failure(StrEnum):
    NUMBER_DOES_NOT_EXIST = "number_does_not_exist"
    CARRIER_TROUBLE = "carrier_trouble"


#: SIP: 404 Not Found, 410 Gone, 484 Address Incomplete, 604 Does Not Exist Anywhere.
DEAD_NUMBER_SIP_CODES = frozenset({404, 410, 484, 604})
#: Twilio: 13223/13224 (<Dial>: invalid phone number), 21211 (invalid 'To' number), 21214 ('To'
#: number cannot be reached), 21217 (the number does not appear to be valid).
DEAD_NUMBER_ERROR_CODES = frozenset({13223, 13224, 21211, 21214, 21217})


def classify(sip_code: int | None, error_code: int | None) -> Failure:
    """What a `failed` call says about the number."""
    if sip_code in DEAD_NUMBER_SIP_CODES or error_code in DEAD_NUMBER_ERROR_CODES:
        return Failure.NUMBER_DOES_NOT_EXIST
    return Failure.CARRIER_TROUBLE


def describe(sip_code: int | None, error_code: int | None) -> str:
    """The failure as the organiser sees it on the call."""
    codes = ", ".join(
        part
        for part in (
            f"SIP {sip_code}" if sip_code else "",
            f"Twilio error {error_code}" if error_code else "",
        )
        if part
    )
    what = {
        Failure.NUMBER_DOES_NOT_EXIST: "the number does not exist",
        Failure.CARRIER_TROUBLE: "the network could not complete the call",
    }[classify(sip_code, error_code)]
    return f"{what} ({codes})" if codes else what
