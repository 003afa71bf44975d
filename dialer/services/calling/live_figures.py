"""Counting what happens on calls into each campaign's live figures, and telling its dashboards.

The use cases call in here at the point where SQL has decided a change (a call placed, a voter
answering, a voter put through or abandoned, an outcome recorded, a sign-up made in a
conversation), after the transaction that decided it commits. Each change is a named fact
(`dialer.domain.figures`), counted once by the Tally however often the code that decided it runs
again (a duplicate callback, a retried job), so totals never run ahead of the record. Each count
is then published to the campaign's room (and the seat's room) as a delta with the figures'
version, through the Socket.IO message queue, so every web process's dashboards receive it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select, update

from dialer.domain import figures
from dialer.domain.figures import Fact
from dialer.domain.surveys import QuestionKind
from dialer.models import (
    CallAttempt,
    CallingSession,
    Campaign,
    CampaignSeat,
    CarpoolSeat,
    EventSignup,
    Outcome,
    PledgeSignup,
    SurveyAnswer,
    SurveyQuestion,
    User,
    Voter,
)
from dialer.services.phone_bank import PhoneBank, campaign_room, constituency_room

logger = logging.getLogger(__name__)

#: The Socket.IO event carrying one change's delta: {campaign, version, changes: {scope|metric: +n},
#: volunteer?} (a change moves the version on by one).
TALLY_EVENT = "tally"
#: A new calling session: {session, volunteer, name, state}.
VOLUNTEER_EVENT = "volunteer"
#: Sign-up tables by the kind of sign-up they hold.
SIGNUP_TABLES: dict[str, type[EventSignup] | type[CarpoolSeat] | type[PledgeSignup]] = {
    "event": EventSignup,
    "carpool": CarpoolSeat,
    "pledge": PledgeSignup,
}


def count(
    bank: PhoneBank, campaign_id: int, facts: Iterable[Fact], *, names: dict[int, str] | None = None
) -> int | None:
    """Count the facts of one change, each once, and publish what changed as one delta (facts
    counted before change nothing); returns the version the figures reached, None if nothing was new."""
    given = [(fact, fact.increments()) for fact in facts]
    counted = bank.tally.add(campaign_id, [(fact.name, increments) for fact, increments in given])
    if counted.version is None:
        return None
    fresh = [(fact, increments) for (fact, increments), new in zip(given, counted.fresh, strict=True) if new]
    changes: Counter[str] = Counter()
    for _, increments in fresh:
        changes.update(increments)
    payload: dict[str, Any] = {"campaign": campaign_id, "version": counted.version, "changes": dict(changes)}
    named = [
        fact.volunteer
        for fact, _ in fresh
        if fact.volunteer is not None and names and fact.volunteer in names
    ]
    if named and names:
        payload["volunteer"] = {"id": named[0], "name": names[named[0]]}
    bank.live.publish(campaign_room(campaign_id), TALLY_EVENT, payload)
    for seat in dict.fromkeys(fact.seat for fact, _ in fresh):
        scope = figures.seat_scope(seat) + "|"
        bank.live.publish(
            constituency_room(campaign_id, seat or figures.UNKNOWN_SEAT),
            TALLY_EVENT,
            {
                "campaign": campaign_id,
                "version": counted.version,
                "changes": {name: n for name, n in changes.items() if name.startswith(scope)},
                "partial": True,
            },
        )
    return counted.version


def mark_behind(bank: PhoneBank, campaign_id: int) -> None:
    """The campaign's live figures missed a change SQL holds (Redis failed after the commit): mark
    them behind, in SQL, for the heartbeat to recount (`dashboard.catch_up`)."""
    now = bank.clock.now()
    try:
        with bank.uow() as uow:
            uow.session.exec(
                update(Campaign)
                .where(col(Campaign.id) == campaign_id, col(Campaign.figures_behind_since).is_(None))
                .values(figures_behind_since=now)
            )
            uow.commit()
    except Exception:  # the database is failing too: the next rebuild of Redis recounts everything
        logger.exception("figures.mark_behind_failed campaign=%s", campaign_id)


def announce_volunteer(bank: PhoneBank, seat: CallingSession, first_name: str) -> None:
    """Tell the campaign's dashboards who a new calling session belongs to (the leaderboard's name)."""
    bank.live.publish(
        campaign_room(seat.campaign_id),
        VOLUNTEER_EVENT,
        {"session": seat.id, "volunteer": seat.user_id, "name": first_name, "state": seat.state.value},
    )


# --- reading a fact's context from the record (inside the deciding transaction) -----------------


def seat_of(session: Session, voter: Voter) -> str | None:
    """The voter's constituency, or the campaign's only target seat when the record does not say."""
    if voter.ons_code:
        return voter.ons_code
    seats = session.exec(
        select(CampaignSeat.ons_code).where(CampaignSeat.campaign_id == voter.campaign_id)
    ).all()
    return seats[0] if len(seats) == 1 else None


def voter_seat() -> ColumnElement[str | None]:
    """`seat_of` as a SQL expression, for a query that joins Voter."""
    only_seat = (
        select(case((func.count() == 1, func.min(CampaignSeat.ons_code))))
        .where(col(CampaignSeat.campaign_id) == col(Voter.campaign_id))
        .scalar_subquery()
    )
    return func.coalesce(col(Voter.ons_code), only_seat)


def call_seat(session: Session, call: CallAttempt) -> str | None:
    voter = session.get(Voter, call.voter_id)
    return seat_of(session, voter) if voter is not None else None


def volunteer_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {uid for uid in user_ids if uid is not None}
    if not wanted:
        return {}
    rows = session.exec(select(User.id, User.first_name).where(col(User.id).in_(wanted))).all()
    return {uid: name for uid, name in rows if uid is not None}


def volunteer_of(session: Session, call: CallAttempt) -> int | None:
    """The volunteer whose seat the call is for (None for a call with no seat)."""
    seat = session.get(CallingSession, call.session_id) if call.session_id else None
    return seat.user_id if seat else None


def dial_moved(session: Session, call: CallAttempt, placed_for: int | None) -> list[Fact]:
    """The dial moving to the volunteer the voter was put through to, when that is someone else."""
    placed_seat = session.get(CallingSession, placed_for) if placed_for else None
    before = placed_seat.user_id if placed_seat else None
    after = volunteer_of(session, call)
    if before is None or after is None or before == after:
        return []
    assert call.id is not None and call.connected_at is not None
    return [figures.dial_moved(call.id, call.connected_at, before, after)]


def call_answered(session: Session, call: CallAttempt) -> Fact:
    assert call.id is not None and call.answered_at is not None
    return figures.answered(call.id, call.answered_at, call_seat(session, call))


def outcome_recorded(session: Session, outcome: Outcome) -> tuple[list[Fact], dict[int, str]]:
    """The outcome (disposition, survey answers) and the sign-ups linked to it so far."""
    assert outcome.id is not None and outcome.created_at is not None
    voter = session.get(Voter, outcome.voter_id) if outcome.voter_id else None
    seat = seat_of(session, voter) if voter is not None else None
    answers = session.exec(
        select(SurveyAnswer.question_id, SurveyAnswer.value).where(SurveyAnswer.outcome_id == outcome.id)
    ).all()
    facts = [
        figures.recorded(
            outcome.id,
            outcome.created_at,
            seat,
            outcome.user_id,
            outcome.disposition.value,
            sorted(answers, key=lambda pair: pair[0]),
            free_text=free_text_questions(session, outcome.campaign_id),
        ),
        *_signups_of(session, outcome, seat),
    ]
    return facts, volunteer_names(session, [outcome.user_id])


def signups_of_outcome(session: Session, outcome_id: int) -> list[Fact]:
    outcome = session.get(Outcome, outcome_id)
    if outcome is None or outcome.channel != "phone":
        return []
    voter = session.get(Voter, outcome.voter_id) if outcome.voter_id else None
    return _signups_of(session, outcome, seat_of(session, voter) if voter is not None else None)


def count_conversation_signups(bank: PhoneBank, outcome_id: int) -> None:
    """Sign-ups made after the outcome was saved (the slot stays open): count any not yet counted."""
    with bank.uow() as uow:
        outcome = uow.session.get(Outcome, outcome_id)
        facts = signups_of_outcome(uow.session, outcome_id)
        names = volunteer_names(uow.session, [outcome.user_id if outcome else None])
    if outcome is not None and facts:
        count(bank, outcome.campaign_id, facts, names=names)


def free_text_questions(session: Session, campaign_id: int) -> set[int]:
    return {
        qid
        for qid in session.exec(
            select(SurveyQuestion.id).where(
                SurveyQuestion.campaign_id == campaign_id, SurveyQuestion.kind == QuestionKind.FREE_TEXT
            )
        ).all()
        if qid is not None
    }


def _signups_of(session: Session, outcome: Outcome, seat: str | None) -> list[Fact]:
    facts = []
    for kind, table in SIGNUP_TABLES.items():
        rows = session.exec(
            select(table.id, table.created_at).where(col(table.outcome_id) == outcome.id)
        ).all()
        facts += [figures.signed_up(kind, rid, at, seat, outcome.user_id) for rid, at in rows if rid and at]
    return facts
