"""What the telephony provider tells us about calls: status callbacks, answers, conference events.

Callbacks can arrive twice, late or out of order. Each is stored once (CallSid + kind + sequence
number are unique in CallEvent), and a call's status only ever moves forward, so a repeat or a
straggler changes nothing and counts nothing twice. The answer webhook is the one hot path: it
claims a seat in Redis (O(1)) and writes two rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from dialer.domain import figures, seats
from dialer.domain.call_control import CallInstruction, Goodbye, InformationMessage, JoinSeat
from dialer.domain.call_failures import Failure, classify, describe
from dialer.domain.calls import (
    FINAL_STATUSES,
    MACHINE_ANSWERS,
    AnsweredBy,
    CallStatus,
    answered_by,
    is_advance,
    reported_status,
)
from dialer.domain.campaigns import DialingMode
from dialer.domain.dispositions import ABANDON_BLOCK, UNCOUNTED_CARRIER_FAILURES, Disposition
from dialer.domain.figures import Fact
from dialer.models import CallAttempt, CallEvent, CallingSession, Campaign, Outcome, User, Voter
from dialer.services.calling import live_figures, queueing, seat_holding, seat_moves, sessions, shared_numbers
from dialer.services.calling.calling_view import voter_card
from dialer.services.calling.notices import Notices
from dialer.services.calling.outcomes import record_system_outcome
from dialer.services.phone_bank import PACE_CAMPAIGN, PhoneBank

logger = logging.getLogger(__name__)


class Applied(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # the same callback again: nothing changed
    STALE = "stale"  # an earlier status arriving late: stored, nothing moved
    UNKNOWN_CALL = "unknown_call"


@dataclass(frozen=True)
class StatusReport:
    """One status callback (or a status the reconciler fetched), as the provider sent it."""

    call_id: int | None
    sid: str
    status: str
    sequence: int | None
    duration_s: int | None = None
    answered_by: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    kind: str = "status"
    #: Why a `failed` call failed: the far end's SIP response and Twilio's error code, when sent.
    sip_code: int | None = None
    error_code: int | None = None


def on_call_status(bank: PhoneBank, report: StatusReport) -> Applied:
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        session = uow.session
        call = _find_call(session, report)
        if call is None:
            logger.info("status.unknown_call call=%s sid=%s", report.call_id, report.sid)
            return Applied.UNKNOWN_CALL
        if not _store_event(session, call, report, now):
            logger.info(
                "status.duplicate call=%s seat=%s sequence=%s", call.id, call.session_id, report.sequence
            )
            return Applied.DUPLICATE
        call.last_heard_at = now
        if report.sequence is not None:
            call.last_sequence = max(call.last_sequence, report.sequence)
        reported = reported_status(report.status)
        if reported is None or not is_advance(call.status, reported):
            uow.commit()
            logger.info(
                "status.stale call=%s seat=%s status=%s after=%s",
                call.id,
                call.session_id,
                report.status,
                call.status.value,
            )
            return Applied.STALE
        call.status = reported
        if reported is CallStatus.IN_PROGRESS and call.answered_at is None:
            call.answered_at = now
            _count_later(bank, notices, call.campaign_id, [live_figures.call_answered(session, call)])
        if report.answered_by:
            call.answered_by = answered_by(report.answered_by)
        if reported is CallStatus.FAILED:
            call.error = describe(report.sip_code, report.error_code)
        if reported in FINAL_STATUSES:
            call.ended_at = now
            call.duration_s = report.duration_s
            _finish(bank, session, notices, call, now, failure=classify(report.sip_code, report.error_code))
        uow.commit()
    notices.send()
    return Applied.APPLIED


@dataclass(frozen=True)
class Answer:
    """The answer webhook's request: which call, for which campaign, the seat reserved for it, and
    what answered when the campaign asked for answering-machine detection."""

    call_id: int
    campaign_id: int
    reserved_session: int | None
    sid: str
    any_seat: bool
    answered_by: str | None = None


@dataclass
class Answered:
    """The answer webhook's reply, and what is done once it has gone: counting the change into the
    live figures and telling the volunteer's and the organisers' screens (`follow_up`, which never
    raises: a failure there is logged and the figures recounted later from SQL)."""

    instruction: CallInstruction
    notices: Notices | None = None
    call_id: int = 0
    campaign_id: int = 0
    seat_id: int | None = None

    def follow_up(self, bank: PhoneBank) -> None:
        if self.notices is None:
            return
        try:
            self.notices.send()
        except Exception:  # after the reply: nothing here may reach Twilio, and SQL is already right
            logger.warning(
                "answer.follow_up_failed call=%s seat=%s campaign=%s: the live figures will be recounted",
                self.call_id,
                self.seat_id,
                self.campaign_id,
                exc_info=True,
            )
            live_figures.mark_behind(bank, self.campaign_id)


def on_answer(bank: PhoneBank, answer: Answer) -> CallInstruction:
    """`answer_call`, then its follow-up at once (for callers with no reply to send first)."""
    answered = answer_call(bank, answer)
    answered.follow_up(bank)
    return answered.instruction


def answer_call(bank: PhoneBank, answer: Answer) -> Answered:
    """A voter picked up: join them to a seat now, or play the information message and hang up.
    A machine (as detection heard it) is hung up on, and never takes a seat.

    The hot path (the voter hears silence until it returns): the call is locked and checked (a
    retried webhook gets the same answer and claims nothing more), one Redis script claims the seat,
    one query reads the seat and what the live figures need, one transaction writes both. Counting
    and publishing wait for the follow-up, after the reply.
    """
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        session = uow.session
        locked = session.get(CallAttempt, answer.call_id, with_for_update=True)
        if locked is None or locked.campaign_id != answer.campaign_id or locked.status in FINAL_STATUSES:
            logger.info(
                "answer.refused call=%s campaign=%s why=%s",
                answer.call_id,
                answer.campaign_id,
                "unknown call" if locked is None else locked.status.value,
            )
            return Answered(Goodbye())
        if (earlier := _answered_already(bank, session, locked)) is not None:
            return Answered(earlier)
        followed = Answered(Goodbye(), notices, answer.call_id, answer.campaign_id)
        machine = answered_by(answer.answered_by)
        if machine in MACHINE_ANSWERS:
            _hang_up_on_machine(bank, session, notices, locked, machine, answer.sid, now)
            uow.commit()
            return followed
        claimed = seat_moves.claim_for_answer(
            bank,
            answer.campaign_id,
            answer.call_id,
            answer.reserved_session,
            now=now,
            any_idle_seat=answer.any_seat,
        )
        found = _answered(session, answer.call_id, claimed.session_id if claimed else None)
        if found is None:
            logger.info("answer.refused call=%s seat=%s why=no call", answer.call_id, answer.reserved_session)
            return Answered(Goodbye())
        call, seat = found.call, found.seat
        assert call.id is not None
        call.provider_sid = call.provider_sid or answer.sid
        call.answered_at = call.answered_at or now
        call.last_heard_at = now
        if is_advance(call.status, CallStatus.IN_PROGRESS):
            call.status = CallStatus.IN_PROGRESS
        answered = figures.answered(call.id, call.answered_at, found.constituency)
        if claimed is not None:
            assert seat is not None, "the seat board holds only seats the record has"
            placed_for = call.session_id
            call.connected_at = now
            call.session_id = seat.id
            seat_moves.record_answer(seat, call.id, now=now)
            uow.commit()
            connected = figures.connected(call.id, now, found.constituency, seat.user_id)
            moved = live_figures.dial_moved(session, call, placed_for) if placed_for != seat.id else []
            names = {seat.user_id: found.volunteer_name} if found.volunteer_name is not None else {}
            _count_later(bank, notices, call.campaign_id, [answered, connected, *moved], names)
            notices.seat(seat)
            if seat.id != answer.reserved_session:  # a seat that did not know this voter yet
                notices.then(lambda: _send_card(bank, claimed.session_id, answer.call_id))
            followed.seat_id = seat.id
            followed.instruction = JoinSeat(claimed.conference, bank.webhooks.conference(claimed.session_id))
            return followed
        campaign = session.get(Campaign, call.campaign_id)
        voter = session.get(Voter, call.voter_id)
        assert campaign is not None and voter is not None
        call.abandoned = True
        call.info_message_at = now
        voter.blocked_until = max(voter.blocked_until or now, now + ABANDON_BLOCK)
        if voter.phone_e164:  # and everyone who shares the number
            shared_numbers.block_after_abandon(session, voter.phone_e164, until=now + ABANDON_BLOCK)
        uow.commit()
        abandoned = figures.abandoned(call.id, now, found.constituency)
        _count_later(bank, notices, call.campaign_id, [answered, abandoned])
    followed.instruction = InformationMessage(campaign.information_message)
    return followed


def _answered_already(bank: PhoneBank, session: Session, call: CallAttempt) -> CallInstruction | None:
    """What an earlier answer webhook for this call said: its seat, the information message, or
    (to a machine) nothing."""
    if call.connected_at is not None and call.session_id is not None:
        seat = session.get(CallingSession, call.session_id)
        if seat is not None:
            return JoinSeat(seat.conference_name, bank.webhooks.conference(call.session_id))
    if call.abandoned:
        campaign = session.get(Campaign, call.campaign_id)
        return InformationMessage(campaign.information_message) if campaign else Goodbye()
    if call.answered_by in MACHINE_ANSWERS:
        return Goodbye()
    return None


def _hang_up_on_machine(
    bank: PhoneBank,
    session: Session,
    notices: Notices,
    call: CallAttempt,
    machine: AnsweredBy,
    sid: str,
    now: datetime,
) -> None:
    """Detection heard a machine or a fax: hang up with no message (PECR forbids a recorded marketing
    message without consent) and claim no seat. It counts as answered, never as abandoned, and
    blocks nothing: the call's end records the answering-machine outcome and its retry (`_finish`)."""
    call.provider_sid = call.provider_sid or sid
    call.answered_by = machine
    call.answered_at = call.answered_at or now
    call.last_heard_at = now
    if is_advance(call.status, CallStatus.IN_PROGRESS):
        call.status = CallStatus.IN_PROGRESS
    _count_later(bank, notices, call.campaign_id, [live_figures.call_answered(session, call)])


@dataclass(frozen=True)
class _Answered:
    """The answered call, the seat that claimed it, and what the call's live figures need."""

    call: CallAttempt
    seat: CallingSession | None
    constituency: str | None  # the figures' seat scope (live_figures.seat_of)
    volunteer_name: str | None  # the seat's volunteer, for the leaderboard


def _answered(session: Session, call_id: int, seat_id: int | None) -> _Answered | None:
    row = session.exec(
        select(CallAttempt, CallingSession, live_figures.voter_seat(), col(User.first_name))
        .join(Voter, col(Voter.id) == col(CallAttempt.voter_id))
        .outerjoin(CallingSession, col(CallingSession.id) == seat_id)
        .outerjoin(User, col(User.id) == col(CallingSession.user_id))
        .where(col(CallAttempt.id) == call_id)
    ).first()
    return _Answered(*row) if row is not None else None


@dataclass(frozen=True)
class ConferenceEvent:
    session_id: int
    conference_sid: str
    event: str  # participant-join, participant-leave, conference-end, ...
    call_sid: str
    sequence: int | None
    payload: dict[str, Any] = field(default_factory=dict)


def on_conference_event(bank: PhoneBank, event: ConferenceEvent) -> Applied:
    """A voter leaving their seat's conference puts the seat in wrap-up; the volunteer leaving ends it."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        session = uow.session
        seat = session.get(CallingSession, event.session_id)
        if seat is None:
            logger.info("conference.unknown_seat seat=%s sid=%s", event.session_id, event.call_sid)
            return Applied.UNKNOWN_CALL
        volunteer_leg = event.call_sid == seat.leg_call_sid
        # The voter's leg: kept with its call, so a subject access export or an erasure finds it.
        call = (
            session.exec(select(CallAttempt).where(CallAttempt.provider_sid == event.call_sid)).first()
            if event.call_sid and not volunteer_leg
            else None
        )
        if event.sequence is not None:
            try:
                with session.begin_nested():
                    session.add(
                        CallEvent(
                            call_attempt_id=call.id if call is not None else None,
                            provider_sid=event.conference_sid,
                            kind="conference",
                            sequence=event.sequence,
                            status=event.event[:30],
                            payload=event.payload,
                            received_at=now,
                        )
                    )
            except IntegrityError:
                logger.info(
                    "conference.duplicate seat=%s event=%s sequence=%s", seat.id, event.event, event.sequence
                )
                return Applied.DUPLICATE
        # A leg that is no voter's call is a volunteer's: the seat's own, or one it had before.
        volunteer_left = event.event == "participant-leave" and call is None and bool(event.call_sid)
        volunteer_back = event.event == "participant-join" and volunteer_leg and seat.away_since is not None
        if (
            event.event == "participant-leave"
            and call is not None
            and call.session_id == seat.id
            and seat_moves.apply(bank, seat, seats.VOTER_LEFT, now=now, busy_with=call.id)
        ):
            notices.seat(seat)
        uow.commit()
        user_id = seat.user_id
    notices.send()
    if volunteer_back:
        seat_holding.volunteer_back(bank, event.session_id, event.call_sid, event.conference_sid)
    if (
        volunteer_left
        and not seat_holding.volunteer_left(bank, event.session_id, event.call_sid, event.conference_sid)
        and volunteer_leg
    ):
        sessions.end_session(bank, user_id, event.session_id, reason="your audio was disconnected")
    return Applied.APPLIED


def _finish(
    bank: PhoneBank,
    session: Session,
    notices: Notices,
    call: CallAttempt,
    now: datetime,
    *,
    failure: Failure,
) -> None:
    """A call is over: free the number, move the seat on, and record the outcome if no volunteer will.
    `failure` says what a `failed` call means for the number."""
    voter = session.get(Voter, call.voter_id)
    assert voter is not None
    notices.then(lambda: queueing.release_number(bank, voter))
    if call.placed_at is not None and call.id is not None:
        # place_call counts the dial after its commit; a worker killed in between must not lose it
        # (the fact is counted once, so the usual case changes nothing).
        dial = figures.dialled(
            call.id,
            call.placed_at,
            live_figures.seat_of(session, voter),
            live_figures.volunteer_of(session, call),
        )
        _count_later(bank, notices, call.campaign_id, [dial])
    seat = session.get(CallingSession, call.session_id) if call.session_id else None
    if call.connected_at is not None:
        if seat is not None and seat_moves.apply(bank, seat, seats.VOTER_LEFT, now=now, busy_with=call.id):
            notices.seat(seat)
        elif seat is None or seat.state not in seats.LIVE_SEAT_STATES:
            _record_lost_conversation(bank, session, notices, call, seat, now)
        return
    if call.abandoned:
        disposition = Disposition.ABANDONED
    elif call.answered_by in MACHINE_ANSWERS:  # detection hung up on it at the answer
        disposition = Disposition.MACHINE
    elif call.status is CallStatus.BUSY:
        disposition = Disposition.BUSY
    elif call.status is CallStatus.FAILED and failure is Failure.NUMBER_DOES_NOT_EXIST:
        disposition = Disposition.WRONG_NUMBER  # never again
    elif call.status is CallStatus.FAILED:  # the network's trouble, not the voter's
        disposition = Disposition.CARRIER_FAILURE
        _forgive_attempt(session, call)
    else:  # no answer, cancelled, or answered and gone before reaching a seat
        disposition = Disposition.NO_ANSWER
    record_system_outcome(bank, session, notices, call, disposition, now=now)
    if seat is None and call.mode is DialingMode.PREDICTIVE:  # a line is free: the pacer may dial again
        campaign_id = call.campaign_id
        notices.then(lambda: bank.jobs.enqueue(PACE_CAMPAIGN, campaign_id))
    if seat is not None and seat_moves.apply(
        bank, seat, seat_moves.after_call(seat), now=now, busy_with=call.id
    ):
        notices.seat(seat)
        notices.voter(seat.id or 0, None, call_id=None, preview=False)
        if seat.state in seats.IDLE:
            campaign_id = seat.campaign_id
            notices.then(lambda: bank.jobs.enqueue(PACE_CAMPAIGN, campaign_id))


def _record_lost_conversation(
    bank: PhoneBank,
    session: Session,
    notices: Notices,
    call: CallAttempt,
    seat: CallingSession | None,
    now: datetime,
) -> None:
    """A conversation ended after its seat had (its volunteer ended the session mid-call, or their
    audio leg went while the voter was being put through): nobody is left to record it, so it is
    recorded as outcome missing, for the organiser to follow up, unless it has its outcome already.
    Only an ended seat: any other (wrap-up, or a move not yet committed) still has its volunteer."""
    recorded = record_system_outcome(
        bank,
        session,
        notices,
        call,
        Disposition.OUTCOME_MISSING,
        now=now,
        user_id=seat.user_id if seat is not None else None,
        notes=str((call.draft or {}).get("notes", "")),
    )
    call.draft = None
    if recorded is not None:
        logger.info(
            "call.conversation_without_seat call=%s seat=%s seat_state=%s: recorded as outcome missing",
            call.id,
            call.session_id,
            seat.state.value if seat is not None else None,
        )


def _forgive_attempt(session: Session, call: CallAttempt) -> None:
    """Take back the attempt place_call counted for a call the network failed, unless the voter has
    had UNCOUNTED_CARRIER_FAILURES such calls already (then it counts, so attempts still run out)."""
    earlier = session.exec(
        select(func.count())
        .select_from(Outcome)
        .where(
            Outcome.campaign_id == call.campaign_id,
            Outcome.voter_id == call.voter_id,
            Outcome.disposition == Disposition.CARRIER_FAILURE,
        )
    ).one()
    if earlier >= UNCOUNTED_CARRIER_FAILURES:
        return
    session.execute(
        update(Voter)
        .where(col(Voter.id) == call.voter_id, col(Voter.attempts) > 0)
        .values(attempts=col(Voter.attempts) - 1)
        .execution_options(synchronize_session="fetch")
    )


def _find_call(session: Session, report: StatusReport) -> CallAttempt | None:
    call = session.get(CallAttempt, report.call_id, with_for_update=True) if report.call_id else None
    if call is None:
        call = session.exec(
            select(CallAttempt).where(CallAttempt.provider_sid == report.sid).with_for_update()
        ).first()
    if call is None:
        return None
    if call.provider_sid is None:
        call.provider_sid = report.sid  # the callback beat place_call's own commit
    elif call.provider_sid != report.sid:
        return None
    return call


def _store_event(session: Session, call: CallAttempt, report: StatusReport, now: datetime) -> bool:
    """Keep the callback verbatim; False when this exact callback was already stored."""
    sequence = report.sequence if report.sequence is not None else _next_own_sequence(session, report)
    try:
        with session.begin_nested():
            session.add(
                CallEvent(
                    call_attempt_id=call.id,
                    provider_sid=report.sid,
                    kind=report.kind,
                    sequence=sequence,
                    status=report.status[:30],
                    payload=report.payload,
                    received_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def _next_own_sequence(session: Session, report: StatusReport) -> int:
    latest = session.exec(
        select(CallEvent.sequence)
        .where(CallEvent.provider_sid == report.sid, CallEvent.kind == report.kind)
        .order_by(col(CallEvent.sequence).desc())
    ).first()
    return (latest or 0) + 1


def _send_card(bank: PhoneBank, session_id: int, call_id: int) -> None:
    with bank.uow() as uow:
        call = uow.session.get(CallAttempt, call_id)
        voter = uow.session.get(Voter, call.voter_id) if call else None
        campaign = uow.session.get(Campaign, call.campaign_id) if call else None
        if voter is None or campaign is None:
            return
        card = voter_card(uow.session, voter, campaign)
    notices = Notices(bank.live)
    notices.voter(session_id, card, call_id=call_id, preview=False)
    notices.send()


def _count_later(
    bank: PhoneBank,
    notices: Notices,
    campaign_id: int,
    facts: list[Fact],
    names: dict[int, str] | None = None,
) -> None:
    """Count the facts into the live figures once the change they record is committed."""
    notices.then(lambda: live_figures.count(bank, campaign_id, facts, names=names))
