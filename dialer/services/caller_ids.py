"""Whether a campaign's caller ID can be used on the telephony account, and why not.

On Twilio a call may only show one of the account's own numbers or a number the account has verified
as an outgoing caller ID; any other fails every call (error 21210). So a campaign's caller ID is
checked with the provider when the campaign is saved and again when its phone bank opens.
"""

from __future__ import annotations

from dialer.domain import phones
from dialer.errors import TelephonyError
from dialer.ports import Telephony


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
