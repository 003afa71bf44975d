"""One voter's history, for organisers: every call and doorstep visit, and what came out of each.

A conversation (an Outcome) is shown with its survey answers, the volunteer's first name and the
event places, carpool seats and pledges signed up during it. Calls that ended without a
conversation (no answer, abandoned) and sign-ups made outside a conversation are their own entries.
Each view is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain.dispositions import DEFAULT_RULES, Disposition
from dialer.domain.doorstep import DOORSTEP_OUTCOMES
from dialer.errors import NotFound
from dialer.models import (
    CallAttempt,
    Carpool,
    CarpoolSeat,
    Event,
    EventSignup,
    Outcome,
    Pledge,
    PledgeSignup,
    SurveyAnswer,
    SurveyQuestion,
    User,
    Voter,
)
from dialer.ports import UnitOfWork
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor


@dataclass(frozen=True)
class SignupLine:
    kind: str  # event, carpool, pledge
    label: str
    status: str
    at: datetime


@dataclass
class Conversation:
    outcome_id: int
    at: datetime
    channel: str  # phone or doorstep
    outcome: str
    volunteer: str
    notes: str
    answers: list[tuple[str, str]] = field(default_factory=list)
    call_seconds: int | None = None
    event_title: str = ""
    signups: list[SignupLine] = field(default_factory=list)


@dataclass(frozen=True)
class CallWithoutConversation:
    at: datetime
    status: str
    abandoned: bool


Entry = Conversation | CallWithoutConversation | SignupLine


@dataclass(frozen=True)
class Timeline:
    voter_id: int
    campaign_id: int
    name: str
    postcode: str
    area: str
    tps: bool
    do_not_call: bool
    entries: list[Entry]  # newest first


def voter_timeline(uow: UnitOfWork, clock: Clock, actor: Actor, voter_id: int) -> Timeline:
    """The voter's history, newest first; the view is recorded in the audit log in the same commit."""
    with uow:
        session = uow.session
        voter = session.get(Voter, voter_id)
        if voter is None or voter.erased_at is not None:
            raise NotFound("no such voter")
        conversations = _conversations(session, voter_id)
        entries: list[Entry] = list(conversations.values())
        entries.extend(_calls_without_conversation(session, voter_id))
        for outcome_id, line in _signups(session, voter_id):
            conversation = conversations.get(outcome_id) if outcome_id is not None else None
            if conversation is not None:
                conversation.signups.append(line)
            else:
                entries.append(line)
        entries.sort(key=lambda entry: entry.at, reverse=True)
        audit.record(
            session,
            clock,
            actor,
            Action.VOTER_VIEWED,
            subject_type="voter",
            subject_id=voter_id,
            detail={"page": "timeline"},
        )
        uow.commit()
        return Timeline(
            voter_id=voter_id,
            campaign_id=voter.campaign_id,
            name=f"{voter.first_name} {voter.last_name}".strip(),
            postcode=voter.postcode,
            area=voter.area,
            tps=voter.tps,
            do_not_call=voter.do_not_call,
            entries=entries,
        )


def _conversations(session: Session, voter_id: int) -> dict[int, Conversation]:
    rows = session.exec(
        select(Outcome, User.first_name, CallAttempt.duration_s, Event.title)
        .join(User, col(User.id) == col(Outcome.user_id), isouter=True)
        .join(CallAttempt, col(CallAttempt.id) == col(Outcome.call_attempt_id), isouter=True)
        .join(Event, col(Event.id) == col(Outcome.event_id), isouter=True)
        .where(Outcome.voter_id == voter_id)
    ).all()
    conversations: dict[int, Conversation] = {}
    for outcome, volunteer, seconds, event_title in rows:
        assert outcome.id is not None and outcome.created_at is not None
        disposition = Disposition(outcome.disposition)
        label = (
            DOORSTEP_OUTCOMES.get(disposition, disposition.value)
            if outcome.channel == "doorstep"
            else DEFAULT_RULES[disposition].label
        )
        conversations[outcome.id] = Conversation(
            outcome_id=outcome.id,
            at=outcome.created_at,
            channel=outcome.channel,
            outcome=label,
            volunteer=volunteer or "",
            notes=outcome.notes,
            call_seconds=seconds,
            event_title=event_title or "",
        )
    if conversations:
        answers = session.exec(
            select(SurveyAnswer.outcome_id, SurveyQuestion.prompt, SurveyAnswer.value)
            .join(SurveyQuestion, col(SurveyQuestion.id) == col(SurveyAnswer.question_id))
            .where(col(SurveyAnswer.outcome_id).in_(list(conversations)))
            .order_by(col(SurveyQuestion.position), col(SurveyQuestion.id))
        )
        for outcome_id, prompt, value in answers:
            shown = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
            conversations[outcome_id].answers.append((prompt, shown))
    return conversations


def _calls_without_conversation(session: Session, voter_id: int) -> list[CallWithoutConversation]:
    with_outcome = select(Outcome.call_attempt_id).where(col(Outcome.call_attempt_id).is_not(None))
    rows = session.exec(
        select(CallAttempt).where(CallAttempt.voter_id == voter_id, col(CallAttempt.id).not_in(with_outcome))
    ).all()
    return [
        CallWithoutConversation(at=row.placed_at, status=str(row.status), abandoned=row.abandoned)
        for row in rows
        if row.placed_at is not None
    ]


def _signups(session: Session, voter_id: int) -> list[tuple[int | None, SignupLine]]:
    lines: list[tuple[int | None, SignupLine]] = []
    for signup, title in session.exec(
        select(EventSignup, Event.title)
        .join(Event, col(Event.id) == col(EventSignup.event_id))
        .where(EventSignup.voter_id == voter_id)
    ):
        assert signup.created_at is not None
        lines.append((signup.outcome_id, SignupLine("event", title, signup.status, signup.created_at)))
    for seat, title, pickup in session.exec(
        select(CarpoolSeat, Event.title, Carpool.pickup_postcode)
        .join(Carpool, col(Carpool.id) == col(CarpoolSeat.carpool_id))
        .join(Event, col(Event.id) == col(Carpool.event_id))
        .where(CarpoolSeat.voter_id == voter_id)
    ):
        assert seat.created_at is not None
        label = f"Carpool to {title} from {pickup}"
        lines.append((seat.outcome_id, SignupLine("carpool", label, seat.status, seat.created_at)))
    for pledge_signup, text in session.exec(
        select(PledgeSignup, Pledge.text)
        .join(Pledge, col(Pledge.id) == col(PledgeSignup.pledge_id))
        .where(PledgeSignup.voter_id == voter_id)
    ):
        assert pledge_signup.created_at is not None
        lines.append(
            (pledge_signup.outcome_id, SignupLine("pledge", text, "pledged", pledge_signup.created_at))
        )
    return lines
