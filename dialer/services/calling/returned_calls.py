"""People who ring a campaign's caller ID back: they hear who called them and why, and can press 1
never to be called again.

Ofcom expects a number that was shown to be returnable and to say who called; opting out by phone
must work at once and for every campaign (the number goes on the suppression list, audited, as a
volunteer's "do not call" does). The caller's number is the one Twilio reports as `From`.
"""

from __future__ import annotations

from sqlmodel import col, select

from dialer.domain.call_control import CallInstruction, Goodbye, OptOutOffer
from dialer.domain.campaigns import CampaignStatus
from dialer.domain.phones import national, normalise_phone
from dialer.errors import InvalidInput
from dialer.models import Campaign
from dialer.services.compliance import audit, suppression
from dialer.services.compliance.suppression import Reason
from dialer.services.phone_bank import PhoneBank

OPT_OUT_KEY = "1"
OPTED_OUT = "Thank you. Your number will not be called again by any of our phone banks. Goodbye."
NO_NUMBER = (
    "We cannot see the number you are calling from, so we cannot take it off our list by phone. "
    "Please call again without hiding your number. Goodbye."
)


def on_incoming(bank: PhoneBank, called: str, caller: str) -> CallInstruction:
    """Someone rang `called` (a campaign's caller ID) from `caller`: say who called and why, and
    offer the opt-out."""
    if _number(caller) is None:
        return Goodbye(f"{_who_called(bank, called)} {NO_NUMBER}")
    return OptOutOffer(
        text=f"{_who_called(bank, called)} To never be called again by us, press 1 now.",
        action_url=bank.webhooks.incoming_choice(),
    )


def on_choice(bank: PhoneBank, called: str, caller: str, digits: str) -> CallInstruction:
    """The key they pressed: 1 puts their number on the suppression list across every campaign."""
    if digits != OPT_OUT_KEY:
        return Goodbye("Thank you for calling. Goodbye.")
    number = _number(caller)
    if number is None:
        return Goodbye(NO_NUMBER)
    source = f"pressed 1 on ringing back {national(called) if _number(called) else 'a campaign number'}"
    with bank.uow() as uow:
        suppression.suppress_numbers(uow.session, bank.clock, [number], Reason.OPT_OUT, source, audit.SYSTEM)
        uow.commit()
    return Goodbye(OPTED_OUT)


def _who_called(bank: PhoneBank, called: str) -> str:
    """The campaign that shows this number (an open one first, then the newest)."""
    with bank.uow() as uow:
        names = uow.session.exec(
            select(Campaign.name)
            .where(Campaign.caller_id == called)
            .order_by(col(Campaign.status) == CampaignStatus.ACTIVE, col(Campaign.created_at))
        ).all()
    if not names:
        return "You have reached a volunteer phone bank about the coming election."
    return (
        f"This is the {names[-1]}. Volunteers called you from this number to talk about the coming election."
    )


def _number(raw: str) -> str | None:
    try:
        return normalise_phone(raw)
    except InvalidInput:
        return None
