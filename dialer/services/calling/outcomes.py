"""Recording what came of each call, and what that means for the voter: again later, never, or nobody ever.

A volunteer records a conversation (disposition, survey answers, notes); the system records the
calls no volunteer took (busy, no answer, abandoned). Either way the campaign's retry rules decide
the voter's next call, a do-not-call puts the number on the cross-campaign suppression list at
once, and a requested call-back is scheduled for the time the voter asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dialer.domain import seats
from dialer.domain.dispositions import DEFAULT_RULES, Disposition
from dialer.domain.retries import campaign_rules, plan_after
from dialer.domain.surveys import check_answers
from dialer.errors import Conflict, InvalidInput, NotFound, TelephonyError
from dialer.models import (
    CallAttempt,
    CallingSession,
    Campaign,
    Outcome,
    SurveyAnswer,
    Voter,
)
from dialer.services.calling import live_figures, queueing, seat_moves, shared_numbers
from dialer.services.calling.calling_view import volunteer_totals
from dialer.services.calling.notices import Notices
from dialer.services.campaigns.campaigns import survey_of
from dialer.services.compliance import audit, suppression
from dialer.services.compliance.audit import Actor
from dialer.services.compliance.suppression import Reason
from dialer.services.phone_bank import CALL_BACK_DUE, PACE_CAMPAIGN, PhoneBank
from dialer.services.signups import signup_slot

MAX_NOTES = 4000
#: How far ahead a call-back may be booked.
MAX_CALL_BACK_AHEAD = timedelta(days=28)


@dataclass(frozen=True)
class OutcomeForm:
    call_id: int
    disposition: str
    answers: Mapping[str, Any] = field(default_factory=dict)  # by question key
    notes: str = ""
    call_back_at: datetime | None = None
    idempotency_key: str | None = None
    pause_after: bool = False
    #: What came of each other person at the number whom the volunteer spoke to or asked for
    #: (voter id -> disposition); people not mentioned stay in the queue as they were.
    others: Mapping[int, str] = field(default_factory=dict)


def record_outcome(bank: PhoneBank, user_id: int, session_id: int, form: OutcomeForm) -> int:
    """Store the volunteer's record of a conversation and free their seat; returns the outcome's id.

    Submitting the same form twice (same idempotency key) stores it once. Recording while the voter
    is still on the line hangs up first.
    """
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        session = uow.session
        seat = session.get(CallingSession, session_id)
        call = session.get(CallAttempt, form.call_id)
        if seat is None or seat.user_id != user_id or call is None or call.session_id != session_id:
            raise NotFound("no such call in your session")
        existing = session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).first()
        if existing is not None:
            if form.idempotency_key and existing.idempotency_key == form.idempotency_key:
                return existing.id or 0
            raise Conflict("the outcome of this call has already been recorded")
        if call.connected_at is None:
            raise Conflict("this call never reached you, so there is nothing to record")
        campaign = session.get(Campaign, call.campaign_id)
        voter = session.get(Voter, call.voter_id)
        assert campaign is not None and voter is not None
        disposition = _volunteer_disposition(form.disposition)
        call_back_at = _call_back_time(campaign, disposition, form.call_back_at, now)
        notes = form.notes.strip()
        if len(notes) > MAX_NOTES:
            raise InvalidInput(f"notes may be at most {MAX_NOTES} characters")
        # The survey and notes are of the person the volunteer talked to: the voter called, or,
        # when the voter was not the one who came to the phone, the housemate who did.
        spoke_with = _who_talked(voter.id or 0, disposition, form.others)
        answers = _answers(session, campaign.id or 0, spoke_with is not None, form.answers)
        survey = Survey(spoke_with or voter.id or 0, notes, answers)
        if survey.voter_id != voter.id:
            notes, answers = "", []
        outcome = Outcome(
            campaign_id=campaign.id or 0,
            voter_id=voter.id,
            call_attempt_id=call.id,
            user_id=user_id,
            disposition=disposition,
            notes=notes,
            call_back_at=call_back_at,
            idempotency_key=form.idempotency_key or None,
            created_at=now,
        )
        session.add(outcome)
        try:
            session.flush()
        except IntegrityError:  # the same form, submitted twice at once
            raise Conflict("the outcome of this call has already been recorded") from None
        session.add_all(
            SurveyAnswer(outcome_id=outcome.id or 0, question_id=qid, value=v) for qid, v in answers
        )
        assert outcome.id is not None and call.connected_at is not None
        signup_slot.link_to_conversation(session, voter.id or 0, outcome.id, since=call.connected_at)
        housemates = _record_housemates(
            bank, session, notices, voter, campaign, form, survey, user_id=user_id, now=now
        )
        schedule_next_call(
            bank,
            session,
            notices,
            voter,
            campaign,
            disposition,
            now=now,
            call_back_at=call_back_at,
            actor=Actor(user_id),
        )
        still_on_line = (
            call.provider_sid if seat.current_call_id == call.id and seat.state in seats.TALKING else None
        )
        call.draft = None  # the outcome is the record now
        freed = seat_moves.apply(
            bank, seat, seat_moves.after_outcome(seat, pause=form.pause_after), now=now, busy_with=call.id
        )
        takes_next = freed and seat.state in seats.IDLE
        uow.commit()
        for recorded in (outcome, *housemates):
            facts, names = live_figures.outcome_recorded(session, recorded)
            notices.then(partial(live_figures.count, bank, campaign.id or 0, facts, names=names))
        if freed:
            notices.seat(seat)
            notices.voter(session_id, None, call_id=None, preview=False)
        notices.outcome(
            session_id,
            call.id or 0,
            disposition.value,
            volunteer_totals(session, user_id, campaign.id or 0, now=now, seat_id=session_id),
        )
        outcome_id = outcome.id or 0
        campaign_id = campaign.id or 0
    if still_on_line:
        with contextlib.suppress(TelephonyError):  # its own status callback settles it either way
            bank.telephony.hang_up(still_on_line)
    notices.send()
    if takes_next:
        bank.jobs.enqueue(PACE_CAMPAIGN, campaign_id)
    return outcome_id


@dataclass(frozen=True)
class Survey:
    """The survey answers and notes of a call, and whose they are."""

    voter_id: int
    notes: str
    answers: list[tuple[int, Any]]


def _who_talked(voter_id: int, disposition: Disposition, others: Mapping[int, str]) -> int | None:
    """Who the volunteer talked to on the call: the voter called, else the first housemate recorded
    as talked to, else nobody."""
    if disposition is Disposition.TALKED:
        return voter_id
    return next((other for other, value in sorted(others.items()) if value == Disposition.TALKED), None)


def _record_housemates(
    bank: PhoneBank,
    session: Session,
    notices: Notices,
    voter: Voter,
    campaign: Campaign,
    form: OutcomeForm,
    survey: Survey,
    *,
    user_id: int,
    now: datetime,
) -> list[Outcome]:
    """An outcome for each other person at the called number the volunteer spoke to or asked for,
    on the same call; the survey goes with the one the volunteer talked to."""
    if not form.others:
        return []
    household = {other.id: other for other in shared_numbers.household(session, voter)}
    recorded = []
    for voter_id, value in sorted(form.others.items()):
        other = household.get(voter_id)
        if other is None or other.done:
            raise InvalidInput("record outcomes only for the people listed at this number")
        disposition = _volunteer_disposition(value)
        call_back_at = _call_back_time(campaign, disposition, form.call_back_at, now)
        mine = survey.voter_id == voter_id
        outcome = Outcome(
            campaign_id=campaign.id or 0,
            voter_id=voter_id,
            user_id=user_id,
            disposition=disposition,
            notes=survey.notes if mine else "",
            call_back_at=call_back_at,
            created_at=now,
        )
        session.add(outcome)
        if mine:
            session.flush()
            session.add_all(
                SurveyAnswer(outcome_id=outcome.id or 0, question_id=qid, value=v)
                for qid, v in survey.answers
            )
        schedule_next_call(
            bank,
            session,
            notices,
            other,
            campaign,
            disposition,
            now=now,
            call_back_at=call_back_at,
            actor=Actor(user_id),
            line=False,
        )
        recorded.append(outcome)
    session.flush()
    return recorded


def record_system_outcome(
    bank: PhoneBank,
    session: Session,
    notices: Notices,
    call: CallAttempt,
    disposition: Disposition,
    *,
    now: datetime,
    user_id: int | None = None,
    notes: str = "",
    answers: list[tuple[int, Any]] | None = None,
) -> int | None:
    """The dialer's own record of a call no volunteer recorded: busy, no answer, abandoned... or a
    conversation whose volunteer never came back (with `user_id`, and the draft's notes and answers).
    Returns the outcome's id (None when the call already had one)."""
    exists = session.exec(select(Outcome.id).where(Outcome.call_attempt_id == call.id)).first()
    if exists is not None:
        return None
    voter = session.get(Voter, call.voter_id)
    campaign = session.get(Campaign, call.campaign_id)
    assert voter is not None and campaign is not None
    outcome = Outcome(
        campaign_id=call.campaign_id,
        voter_id=call.voter_id,
        call_attempt_id=call.id,
        user_id=user_id,
        disposition=disposition,
        notes=notes.strip()[:MAX_NOTES],
        created_at=now,
    )
    session.add(outcome)
    session.flush()
    assert outcome.id is not None
    session.add_all(SurveyAnswer(outcome_id=outcome.id, question_id=qid, value=v) for qid, v in answers or [])
    if user_id is not None and call.connected_at is not None:
        signup_slot.link_to_conversation(session, voter.id or 0, outcome.id, since=call.connected_at)
    facts, names = live_figures.outcome_recorded(session, outcome)
    notices.then(partial(live_figures.count, bank, call.campaign_id, facts, names=names))
    schedule_next_call(bank, session, notices, voter, campaign, disposition, now=now)
    return outcome.id


def schedule_next_call(
    bank: PhoneBank,
    session: Session,
    notices: Notices,
    voter: Voter,
    campaign: Campaign,
    disposition: Disposition,
    *,
    now: datetime,
    call_back_at: datetime | None = None,
    actor: Actor = audit.SYSTEM,
    line: bool = True,
) -> None:
    """Apply the campaign's retry rule for `disposition` to the voter (queue changes happen after commit).
    `line`: the disposition says how the call itself went (False for what a volunteer learnt about
    someone else at the number)."""
    session.refresh(voter)
    plan = plan_after(
        disposition,
        rules=campaign_rules(campaign.retry_overrides),
        attempts_made=voter.attempts,
        max_attempts=campaign.max_attempts,
        now=now,
        call_back_at=call_back_at,
    )
    voter.done = voter.done or plan.done
    voter.next_call_at = plan.next_call_at
    if disposition in _LINE_NOT_PICKED_UP and line:
        shared_numbers.line_not_picked_up(session, voter, retry_at=plan.next_call_at, now=now)
    campaign_id, voter_id = campaign.id or 0, voter.id or 0
    if plan.block_until is not None:
        voter.blocked_until = max(voter.blocked_until or plan.block_until, plan.block_until)
        if voter.phone_e164:
            shared_numbers.block_after_abandon(session, voter.phone_e164, until=plan.block_until)
    if plan.suppress and voter.phone_e164:
        suppress_number(bank, session, notices, voter.phone_e164, disposition=disposition, actor=actor)
    if disposition is Disposition.WRONG_NUMBER and voter.phone_e164:
        for other in shared_numbers.wrong_number(session, campaign_id, voter.phone_e164):
            notices.then(partial(bank.queue.remove, campaign_id, other))
    if voter.done or voter.do_not_call:
        notices.then(lambda: bank.queue.remove(campaign_id, voter_id))
    else:
        notices.then(lambda: queueing.queue_voter(bank, voter, now=now, call_back=plan.call_back))
    if plan.call_back and call_back_at is not None:
        notices.then(
            lambda: bank.jobs.enqueue(
                CALL_BACK_DUE, voter_id, at=call_back_at, job_id=f"call-back-{voter_id}"
            )
        )


#: Calls no person picked up: the others at the number wait as long as the voter called.
_LINE_NOT_PICKED_UP = frozenset(
    {Disposition.NO_ANSWER, Disposition.BUSY, Disposition.MACHINE, Disposition.CARRIER_FAILURE}
)

#: Why a number went on the do-not-call list, by the disposition that put it there.
_SUPPRESSED_FOR = {
    Disposition.DO_NOT_CALL: Reason.OPT_OUT,
    Disposition.WRONG_NUMBER: Reason.WRONG_NUMBER,
    Disposition.DECEASED: Reason.DECEASED,
}


def suppress_number(
    bank: PhoneBank,
    session: Session,
    notices: Notices,
    phone: str,
    *,
    disposition: Disposition,
    actor: Actor,
) -> None:
    """Nobody in any campaign calls this number again, effective immediately."""
    reason = _SUPPRESSED_FOR.get(disposition, Reason.ADMIN)
    suppression.suppress_numbers(session, bank.clock, [phone], reason, f"call outcome: {disposition}", actor)
    bank.queue.suppress(phone)  # at once: a claim in another campaign must not slip through
    for campaign_id, voter_id in session.exec(
        select(Voter.campaign_id, Voter.id).where(Voter.phone_e164 == phone)
    ).all():
        notices.then(partial(bank.queue.remove, campaign_id, voter_id or 0))


def call_back_due(bank: PhoneBank, voter_id: int) -> bool:
    """The time a voter asked to be called back has come: put them first in line and dial."""
    now = bank.clock.now()
    with bank.uow() as uow:
        voter = uow.session.get(Voter, voter_id)
        campaign = uow.session.get(Campaign, voter.campaign_id) if voter else None
        if voter is None or campaign is None or not queueing.call_back_requested(uow.session, voter):
            return False
        reason = queueing.why_not_now(uow.session, voter, campaign, now)
        if reason is not None and reason.permanent:
            return False
        queueing.queue_voter(bank, voter, now=now, call_back=True)
    bank.jobs.enqueue(PACE_CAMPAIGN, voter.campaign_id)
    return True


def _volunteer_disposition(value: str) -> Disposition:
    try:
        disposition = Disposition(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not an outcome") from None
    if not DEFAULT_RULES[disposition].by_volunteer:
        raise InvalidInput(f"{DEFAULT_RULES[disposition].label.lower()} is recorded by the system")
    return disposition


def _call_back_time(
    campaign: Campaign, disposition: Disposition, at: datetime | None, now: datetime
) -> datetime | None:
    if disposition is not Disposition.CALL_BACK:
        return None
    if at is None:
        raise InvalidInput("choose when the voter would like to be called back")
    if at.tzinfo is None:
        raise InvalidInput("the call-back time needs a time zone")
    if at <= now:
        raise InvalidInput("the call-back time must be in the future")
    if at > now + MAX_CALL_BACK_AHEAD:
        raise InvalidInput("a call-back can be booked at most four weeks ahead")
    hours = queueing.hours_of(campaign)
    if not hours.is_open(at):
        raise InvalidInput(f"the call-back must be within calling hours ({hours.describe()})")
    return at


def _answers(
    session: Session, campaign_id: int, talked: bool, given: Mapping[str, Any]
) -> list[tuple[int, Any]]:
    survey = survey_of(session, campaign_id)
    return list(check_answers(survey, given, talked=talked).items())
