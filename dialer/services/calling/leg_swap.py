"""The volunteer's browser leg is swapped for a fresh one before the provider's maximum call length.

Twilio ends every call at its maximum duration: four hours unless the account allows up to 24 and
the call is given a later TimeLimit. A browser leg is a call the volunteer's page placed, so the
product cannot place it again; and a later TimeLimit is no use on an account that keeps the
four-hour maximum. So half an hour before the leg's limit, at a moment with no voter on the line
(ready, wrap-up or a pause), the product holds the seat and hangs the old leg up; the page, seeing
its seat held for its browser audio, joins it again on a new call with four fresh hours. A seat
that was ready is paused meanwhile (no voter is put through to a seat with no audio) and is ready
again once the new leg is in. While a voter is on the line the swap waits; if a conversation runs
past the limit itself, the held-seat machinery keeps the voter on hold until the page is back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialer.domain import seats
from dialer.domain.seats import LIVE_SEAT_STATES, AudioLeg
from dialer.errors import TelephonyError
from dialer.models import CallingSession
from dialer.services.calling import seat_moves
from dialer.services.calling.leg_renewal import PROVIDER_LIMIT, RENEW_BEFORE
from dialer.services.calling.notices import Notices
from dialer.services.phone_bank import SWAP_LEG, PhoneBank

#: How soon the swap is tried again while a voter is on the line (a wrap-up may be short).
RETRY_AFTER = timedelta(seconds=15)


def schedule_swap(bank: PhoneBank, session_id: int, leg_sid: str, joined_at: datetime) -> None:
    """A browser leg joined the seat: swap it before the provider's limit."""
    due = joined_at + PROVIDER_LIMIT - RENEW_BEFORE
    bank.jobs.enqueue(SWAP_LEG, session_id, leg_sid, joined_at.timestamp(), at=due)


def swap_leg(bank: PhoneBank, session_id: int, leg_sid: str, joined_at_s: float) -> bool:
    """Hold the seat and hang up its browser leg `leg_sid` so the page joins on a fresh one; when a
    voter is on the line, try again shortly. False when nothing was swapped."""
    now = bank.clock.now()
    limit = datetime.fromtimestamp(joined_at_s, tz=UTC) + PROVIDER_LIMIT
    notices = Notices(bank.live)
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id, with_for_update=True)
        if (
            seat is None
            or seat.state not in LIVE_SEAT_STATES
            or seat.audio is not AudioLeg.BROWSER
            or seat.leg_call_sid != leg_sid
        ):
            return False
        if seat.state not in seats.QUIET or seat.away_since is not None:
            if now + RETRY_AFTER < limit:
                bank.jobs.enqueue(SWAP_LEG, session_id, leg_sid, joined_at_s, at=now + RETRY_AFTER)
            return False
        if seat.state in seats.IDLE:
            if not seat_moves.apply(bank, seat, seats.PAUSE_FOR_NEW_LEG, now=now):
                bank.jobs.enqueue(SWAP_LEG, session_id, leg_sid, joined_at_s, at=now + RETRY_AFTER)
                return False
            seat.resume_when_back = True
        seat.leg_call_sid = None
        seat.away_since = now
        uow.commit()
        notices.seat(seat)
    notices.send()
    try:
        bank.telephony.hang_up(leg_sid)
    except TelephonyError as exc:
        if not exc.retryable:
            return True  # the leg is gone already: the seat is held all the same for the page
        _keep_leg(bank, session_id, leg_sid)
        bank.jobs.enqueue(SWAP_LEG, session_id, leg_sid, joined_at_s, at=now + RETRY_AFTER)
        return False
    return True


def _keep_leg(bank: PhoneBank, session_id: int, leg_sid: str) -> None:
    """The provider could not hang the leg up just now: the seat has its leg back, as it was."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id, with_for_update=True)
        if seat is None or seat.state not in LIVE_SEAT_STATES or seat.leg_call_sid is not None:
            return
        seat.leg_call_sid, seat.away_since = leg_sid, None
        if seat.resume_when_back:
            seat_moves.apply(bank, seat, seats.RESUME, now=now)
            seat.resume_when_back = False
        uow.commit()
        notices.seat(seat)
    notices.send()
