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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialer.domain import seats
from dialer.domain.call_control import HoldMessage
from dialer.domain.calls import FINAL_STATUSES
from dialer.domain.dispositions import DEFAULT_RULES, Disposition
from dialer.domain.seats import HELD_WHEN_AWAY
from dialer.domain.surveys import check_answers
from dialer.errors import InvalidInput, NotFound, TelephonyError
from dialer.models import CallAttempt, CallingSession, Campaign, Outcome, User, Voter
from dialer.ports import UnitOfWork
from dialer.services.calling import seat_moves
from dialer.services.calling.notices import Notices
from dialer.services.calling.outcomes import record_system_outcome
from dialer.services.calling.sessions import end_session
from dialer.services.campaigns.campaigns import survey_of
from dialer.services.phone_bank import PACE_CAMPAIGN, PhoneBank

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
            and seat.state in seats.TALKING
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
    """The seat's leg is in the conference again: the seat is no longer away, its voter off hold, and a
    seat paused only while its browser leg was swapped (`leg_swap`) is ready again."""
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
        resumed = seat.resume_when_back and seat_moves.apply(bank, seat, seats.RESUME, now=bank.clock.now())
        seat.resume_when_back = False
        uow.commit()
        notices.seat(seat)
        campaign_id = seat.campaign_id
    notices.send()
    if resumed:  # paused only while its browser leg was swapped (leg_swap): ready for voters again
        bank.jobs.enqueue(PACE_CAMPAIGN, campaign_id)
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


@dataclass(frozen=True)
class FollowUp:
    """A conversation whose outcome is missing, as its organiser's list shows it."""

    outcome_id: int
    voter_id: int
    voter_name: str
    area: str
    volunteer: str
    recorded_at: datetime | None
    talked_for_s: int | None
    notes: str
    next_call_at: datetime | None
    since: str | None  # what the voter's next call came to, once there is one


def follow_ups(uow: UnitOfWork, campaign_id: int) -> list[FollowUp]:
    """The campaign's conversations recorded as outcome missing, newest first."""
    with uow:
        session = uow.session
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        rows = session.exec(
            select(Outcome, Voter, User.first_name, CallAttempt)
            .join(Voter, col(Voter.id) == Outcome.voter_id)
            .outerjoin(User, col(User.id) == Outcome.user_id)
            .outerjoin(CallAttempt, col(CallAttempt.id) == Outcome.call_attempt_id)
            .where(Outcome.campaign_id == campaign_id, Outcome.disposition == Disposition.OUTCOME_MISSING)
            .order_by(col(Outcome.created_at).desc(), col(Outcome.id).desc())
        ).all()
        later = _later_outcomes(session, [voter.id or 0 for _, voter, _, _ in rows])
        return [
            FollowUp(
                outcome_id=outcome.id or 0,
                voter_id=voter.id or 0,
                voter_name=voter_name(voter, campaign),
                area=voter.area or voter.postcode[:4],
                volunteer=volunteer or "",
                recorded_at=outcome.created_at,
                talked_for_s=_talked_for(call),
                notes=outcome.notes,
                next_call_at=None if voter.done else voter.next_call_at,
                since=next(
                    (
                        DEFAULT_RULES[disposition].label
                        for at, disposition in later.get(voter.id or 0, [])
                        if outcome.created_at is not None and at is not None and at > outcome.created_at
                    ),
                    None,
                ),
            )
            for outcome, voter, volunteer, call in rows
        ]


def voter_name(voter: Voter, campaign: Campaign) -> str:
    return (
        f"{voter.first_name} {voter.last_name}"
        if campaign.show_surname and voter.last_name
        else voter.first_name
    )


def _talked_for(call: CallAttempt | None) -> int | None:
    if call is None or call.connected_at is None or call.ended_at is None:
        return None
    return int((call.ended_at - call.connected_at).total_seconds())


def _later_outcomes(
    session: Session, voter_ids: list[int]
) -> dict[int, list[tuple[datetime | None, Disposition]]]:
    found: dict[int, list[tuple[datetime | None, Disposition]]] = {}
    for voter_id, at, disposition in session.exec(
        select(Outcome.voter_id, Outcome.created_at, Outcome.disposition)
        .where(col(Outcome.voter_id).in_(voter_ids), Outcome.disposition != Disposition.OUTCOME_MISSING)
        .order_by(col(Outcome.created_at))
    ).all():
        found.setdefault(voter_id or 0, []).append((at, Disposition(disposition)))
    return found
