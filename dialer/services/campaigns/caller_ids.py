"""Whether a campaign's caller ID can be used on the telephony account, and why not.

On Twilio a call may only show one of the account's own numbers or a number the account has verified
as an outgoing caller ID; any other fails every call (error 21210). So a campaign's caller ID is
checked with the provider when the campaign is saved and again when its phone bank opens; when it
is one of the account's own numbers, opening also points its Voice URL at the product, so people who
ring it back are answered (dialer/services/calling/returned_calls.py).
"""

from __future__ import annotations

import logging

from dialer.domain import phones
from dialer.errors import TelephonyError
from dialer.ports import Telephony

logger = logging.getLogger(__name__)


def problem_with(telephony: Telephony, caller_id: str) -> str | None:
    """What stops calls showing `caller_id` (E.164), in words an organiser can act on; None if nothing."""
    shown = phones.national(caller_id)
    try:
        usable = telephony.may_call_from(caller_id)
    except TelephonyError as exc:
        return f"the caller ID {shown} could not be checked with the telephony provider ({exc}): try again"
    if usable:
        return None
    return (
        f"the caller ID {shown} is neither a number of the telephony account nor a verified caller ID, "
        "so every call would be refused: buy or verify it in the Twilio console, or choose one of the "
        "account's numbers"
    )


def answer_calls_back(telephony: Telephony, caller_id: str, voice_url: str) -> bool:
    """Point the account's number `caller_id` at `voice_url`, so whoever rings it back is answered;
    False when it cannot be (a verified caller ID rings elsewhere, or the provider failed: the
    campaign still opens, and the failure is logged)."""
    try:
        return telephony.route_incoming(caller_id, voice_url)
    except TelephonyError as exc:
        logger.warning("calls back to %s are not answered: %s", phones.masked(caller_id), exc)
        return False
