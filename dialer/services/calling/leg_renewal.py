"""The volunteer's phone leg outlives the provider's maximum call length.

Twilio ends a call at its time limit, four hours unless told otherwise, and a seat whose leg ends
is over ("your audio was disconnected"). So while the seat lasts, half an hour before the leg's
limit a job gives the live leg a later one (TimeLimit on an update: four hours more), and comes back
half an hour before that. Each run counts the leg's age from when it was placed, at least as long
as Twilio's own count from its answer, so a limit is never set short.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialer.domain.seats import LIVE_SEAT_STATES, AudioLeg
from dialer.errors import TelephonyError
from dialer.models import CallingSession
from dialer.services.phone_bank import RENEW_LEG, PhoneBank

#: Twilio's default (and the simulator's) maximum length of a call.
PROVIDER_LIMIT = timedelta(hours=4)
#: How long before the limit the leg is renewed (the job may run late when the workers are busy).
RENEW_BEFORE = timedelta(minutes=30)


def schedule_renewal(bank: PhoneBank, session_id: int, leg_sid: str, placed_at: datetime) -> None:
    """A phone leg was placed for the seat: renew it before the provider's first limit."""
    due = placed_at + PROVIDER_LIMIT - RENEW_BEFORE
    bank.jobs.enqueue(RENEW_LEG, session_id, leg_sid, placed_at.timestamp(), at=due)


def renew_leg(bank: PhoneBank, session_id: int, leg_sid: str, placed_at_s: float) -> bool:
    """Give the seat's leg four hours more from now, if it is still the seat's live phone leg;
    then come back before that runs out. False when there is nothing to renew."""
    now = bank.clock.now()
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id)
        if (
            seat is None
            or seat.state not in LIVE_SEAT_STATES
            or seat.audio is not AudioLeg.PHONE
            or seat.leg_call_sid != leg_sid
        ):
            return False
    placed_at = datetime.fromtimestamp(placed_at_s, tz=UTC)
    limit = now - placed_at + PROVIDER_LIMIT
    try:
        bank.telephony.extend(leg_sid, int(limit.total_seconds()))
    except TelephonyError as exc:
        if exc.retryable:  # try again soon: there is still time before the limit
            bank.jobs.enqueue(RENEW_LEG, session_id, leg_sid, placed_at_s, at=now + timedelta(minutes=1))
        return False
    bank.jobs.enqueue(RENEW_LEG, session_id, leg_sid, placed_at_s, at=now + PROVIDER_LIMIT - RENEW_BEFORE)
    return True
