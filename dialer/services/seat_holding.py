"""A seat held for a volunteer whose audio went away mid-conversation, and what happens next.

A reload, a closed lid, a wifi drop or a dropped phone call takes the volunteer's audio leg out of
their seat's conference. In a conversation (or its wrap-up, or a pause) the seat is not ended: it is
marked away, the voter is put on hold with a short message, and the volunteer's page (or phone)
joins the same seat again, which takes the voter off hold. A volunteer who is not back within the
campaign's grace period leaves the conversation recorded as "outcome missing" (with the answers
and notes typed so far), listed for the organiser to follow up: a conversation is never lost.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialer.domain.call_control import HoldMessage
from dialer.domain.calls import FINAL_STATUSES
from dialer.domain.dispositions import Disposition
from dialer.domain.seats import HELD_WHEN_AWAY, SeatState
from dialer.domain.surveys import check_answers
from dialer.errors import InvalidInput, TelephonyError
from dialer.models import CallAttempt, CallingSession, Campaign, Outcome
from dialer.services.campaigns import survey_of
from dialer.services.notices import Notices
from dialer.services.outcomes import record_system_outcome
from dialer.services.phone_bank import PhoneBank
from dialer.services.sessions import end_session

HOLD_TEXT = "Sorry, we have lost your caller for a moment. Please hold: they will be right back with you."


def volunteer_left(bank: PhoneBank, session_id: int, leg_sid: str, conference_sid: str | None) -> bool:
    """The volunteer's audio leg `leg_sid` left the seat. Returns True when the seat is held for them
    (its state allows it); False when the caller should end the seat as before."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    hold: tuple[str, str] | None = None
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id, with_for_update=True)
        if seat is None or seat.state not in HELD_WHEN_AWAY:
            return False
        if seat.leg_call_sid == leg_sid:
            seat.leg_call_sid = None
            seat.away_since = seat.away_since or now
        elif seat.away_since is None:
            return True  # an old leg, already replaced by the one the volunteer came back on
        call = uow.session.get(CallAttempt, seat.current_call_id) if seat.current_call_id else None
        if (
            conference_sid
            and seat.state is SeatState.CONNECTED
            and call is not None
            and call.provider_sid
            and call.status not in FINAL_STATUSES
        ):
            hold = (conference_sid, call.provider_sid)
        uow.commit()
        notices.seat(seat)
    notices.send()
    if hold is not None:
        with contextlib.suppress(TelephonyError):  # the voter hears silence instead; the seat still waits
            bank.telephony.hold(*hold, on=True, hold_url=bank.webhooks.hold(session_id))
    return True


def volunteer_back(bank: PhoneBank, session_id: int, leg_sid: str, conference_sid: str) -> None:
    """The seat's leg is in the conference again: the seat is no longer away, its voter off hold."""
    notices = Notices(bank.live)
    unhold: str | None = None
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id, with_for_update=True)
        if seat is None or seat.away_since is None or seat.leg_call_sid != leg_sid:
            return
        seat.away_since = None
        call = uow.session.get(CallAttempt, seat.current_call_id) if seat.current_call_id else None
        if call is not None and call.provider_sid and call.status not in FINAL_STATUSES:
            unhold = call.provider_sid
        uow.commit()
        notices.seat(seat)
    notices.send()
    if unhold is not None:
        with contextlib.suppress(TelephonyError):  # not held (the hold had failed), or gone meanwhile
            bank.telephony.hold(conference_sid, unhold, on=False)


def hold_message(bank: PhoneBank, session_id: int) -> HoldMessage:
    return HoldMessage(HOLD_TEXT, bank.webhooks.hold(session_id))


def end_seats_not_back(bank: PhoneBank) -> list[int]:
    """End the seats whose volunteer has been away longer than their campaign's grace period; their
    conversation (if its outcome was not saved) is recorded as outcome missing. Run by the heartbeat."""
    now = bank.clock.now()
    with bank.uow() as uow:
        away = uow.session.exec(
            select(CallingSession, Campaign.seat_grace_s)
            .join(Campaign, col(Campaign.id) == CallingSession.campaign_id)
            .where(col(CallingSession.away_since).is_not(None))
        ).all()
        overdue = [
            (seat.id, seat.user_id, grace)
            for seat, grace in away
            if seat.id is not None
            and seat.away_since is not None
            and seat.away_since + timedelta(seconds=grace) <= now
        ]
    ended = []
    for session_id, user_id, grace in overdue:
        assert session_id is not None
        record_missing_outcome(bank, session_id, now=now)
        if end_session(
            bank,
            user_id,
            session_id,
            reason=f"you were away for more than {grace} seconds; your organiser will follow the call up",
        ):
            ended.append(session_id)
    return ended


def record_missing_outcome(bank: PhoneBank, session_id: int, *, now: datetime) -> int | None:
    """Record the seat's conversation as outcome missing, with its draft, unless it has an outcome."""
    notices = Notices(bank.live)
    with bank.uow() as uow:
        session = uow.session
        seat = session.get(CallingSession, session_id)
        if seat is None or seat.away_since is None or seat.current_call_id is None:
            return None
        call = session.get(CallAttempt, seat.current_call_id, with_for_update=True)
        if call is None or call.connected_at is None or call.session_id != seat.id:
            return None
        if session.exec(select(Outcome.id).where(Outcome.call_attempt_id == call.id)).first() is not None:
            return None
        draft = call.draft or {}
        try:
            outcome_id = record_system_outcome(
                bank,
                session,
                notices,
                call,
                Disposition.OUTCOME_MISSING,
                now=now,
                user_id=seat.user_id,
                notes=str(draft.get("notes", "")),
                answers=_draft_answers(session, call.campaign_id, draft.get("answers")),
            )
            call.draft = None
            uow.commit()
        except IntegrityError:  # the volunteer's own outcome got there first
            return None
    notices.send()
    return outcome_id


def _draft_answers(session: Session, campaign_id: int, given: Any) -> list[tuple[int, Any]]:
    """The draft's answers that make a valid (if incomplete) set; none if they do not."""
    if not isinstance(given, dict):
        return []
    try:
        return list(check_answers(survey_of(session, campaign_id), given, talked=False).items())
    except InvalidInput:
        return []
