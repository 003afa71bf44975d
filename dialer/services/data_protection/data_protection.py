"""Data-protection requests about a voter: find them, export everything held, erase them.

A person is identified by their phone number: the same person may be on several campaigns' lists,
and a subject access or erasure request covers all of those records.

Erasure keeps the campaign's arithmetic and removes the person. The voter rows stay as anonymous
tombstones (no name, number, address, postcode, area or external id; `erased_at` set), so the
calls and outcomes that point at them still count: "campaign totals unchanged" means the number of
voters, call attempts by status, abandoned calls, talk time, outcomes by disposition and event,
carpool and pledge sign-ups per campaign are the same before and after. What goes: survey answers
(opinions are the most sensitive data held, and answers are personal by nature), outcome notes and
call-back times (phone calls and doorstep visits alike), the provider's raw callbacks about the
person's calls (status, detection and conference events), provider call ids (keys to the
provider's own records of the call), names and e-mail addresses on sign-ups, the number from its
do-not-call entries (which keep their reason and the number's keyed fingerprint, so an opt-out stays
absolute when a later list brings the number back: survey tallies are what change), and the uploaded
files of voter imports not yet finished on the person's campaigns: an upload is the raw list,
names and numbers included, and no row of it can be told apart from the others until it is
imported, so it goes and the organiser uploads it again. Import reports (VoterImport.errors)
name lines and fields, never their values, so they hold nothing to erase. Redis loses the person
too: the call queues' number map and queues, numbers held in calls, the days' lists of dialled
numbers and the do-not-call set (SQL keeps the fingerprint an opt-out needs; nothing else in Redis
holds a number or a name: jobs and figures carry ids only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, or_, select, update

from dialer.clock import Clock
from dialer.domain.phones import masked, normalise_phone
from dialer.errors import InvalidInput, NotFound
from dialer.models import (
    CallAttempt,
    CallEvent,
    Campaign,
    CarpoolSeat,
    EventSignup,
    Outcome,
    PledgeSignup,
    SuppressionEntry,
    SurveyAnswer,
    SurveyQuestion,
    Voter,
    VoterImport,
    VoterImportFile,
)
from dialer.ports import CallQueue, UnitOfWork
from dialer.services.calling import texts
from dialer.services.compliance import audit, suppression
from dialer.services.compliance.audit import Action, Actor


@dataclass(frozen=True)
class VoterMatch:
    id: int
    name: str
    campaign: str
    postcode: str
    number: str  # masked
    erased: bool


def find_voters(uow: UnitOfWork, query: str, *, limit: int = 50) -> list[VoterMatch]:
    """Voters whose phone number is `query`, or whose name or postcode contains it."""
    text = query.strip()
    if len(text) < 2:
        return []
    try:
        by_phone = col(Voter.phone_e164) == normalise_phone(text)
    except InvalidInput:
        by_phone = None
    pattern = f"%{text.lower()}%"
    by_text = or_(
        col(Voter.first_name).ilike(pattern),
        col(Voter.last_name).ilike(pattern),
        col(Voter.postcode).ilike(pattern),
        col(Voter.external_id) == text,
    )
    with uow:
        rows = uow.session.exec(
            select(Voter, Campaign.name)
            .join(Campaign, col(Campaign.id) == col(Voter.campaign_id))
            .where(or_(by_phone, by_text) if by_phone is not None else by_text)
            .order_by(col(Voter.last_name), col(Voter.first_name), col(Voter.id))
            .limit(limit)
        ).all()
        return [_match(voter, campaign) for voter, campaign in rows]


def _match(voter: Voter, campaign: str) -> VoterMatch:
    return VoterMatch(
        id=voter.id or 0,
        name=f"{voter.first_name} {voter.last_name}".strip() or "(erased)",
        campaign=campaign,
        postcode=voter.postcode,
        number=masked(voter.phone_e164) if voter.phone_e164 else "",
        erased=voter.erased_at is not None,
    )


def _records_of(session: Session, voter_id: int) -> list[Voter]:
    """This voter and every other campaign's record of the same person: the same number and name.
    Not the number alone: the others in a household who share it are other people, whose records
    are neither shown in this person's export nor erased with theirs."""
    voter = session.get(Voter, voter_id)
    if voter is None:
        raise NotFound("no such voter")
    if not voter.phone_e164:
        return [voter]
    same_number = session.exec(
        select(Voter).where(col(Voter.phone_e164) == voter.phone_e164).order_by(col(Voter.id))
    ).all()
    return [other for other in same_number if other.id == voter.id or _same_name(other, voter)]


def _same_name(one: Voter, other: Voter) -> bool:
    return (one.first_name.casefold(), one.last_name.casefold()) == (
        other.first_name.casefold(),
        other.last_name.casefold(),
    )


def view_voter(uow: UnitOfWork, clock: Clock, actor: Actor, voter_id: int) -> list[VoterMatch]:
    """The records held about this voter's person (audited: viewing a record is processing it)."""
    with uow:
        records = _records_of(uow.session, voter_id)
        names = _campaign_names(uow.session, {v.campaign_id for v in records})
        audit.record(
            uow.session, clock, actor, Action.VOTER_VIEWED, subject_type="voter", subject_id=voter_id
        )
        uow.commit()
        return [_match(v, names[v.campaign_id]) for v in records]


def _campaign_names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(Campaign.id, Campaign.name).where(col(Campaign.id).in_(ids))).all()
    return {campaign_id: name for campaign_id, name in rows if campaign_id is not None}


# --- export ----------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _row(model: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    data = model.model_dump(exclude=set(leave_out))
    return {key: _iso(value) if isinstance(value, datetime) else value for key, value in data.items()}


def export_voter(uow: UnitOfWork, clock: Clock, actor: Actor, voter_id: int) -> dict[str, Any]:
    """Everything held about the person behind this voter record, as JSON-ready data (audited)."""
    with uow:
        session = uow.session
        records = _records_of(session, voter_id)
        ids = [v.id for v in records]
        names = _campaign_names(session, {v.campaign_id for v in records})
        outcomes = session.exec(
            select(Outcome).where(col(Outcome.voter_id).in_(ids)).order_by(col(Outcome.id))
        ).all()
        outcome_ids = [o.id for o in outcomes]
        answers = session.exec(
            select(SurveyAnswer, SurveyQuestion)
            .join(SurveyQuestion, col(SurveyQuestion.id) == col(SurveyAnswer.question_id))
            .where(col(SurveyAnswer.outcome_id).in_(outcome_ids))
            .order_by(col(SurveyAnswer.outcome_id), col(SurveyQuestion.position))
        ).all()
        attempts = session.exec(
            select(CallAttempt).where(col(CallAttempt.voter_id).in_(ids)).order_by(col(CallAttempt.id))
        ).all()
        attempt_ids = [a.id for a in attempts]
        callbacks = session.exec(
            select(CallEvent)
            .where(col(CallEvent.call_attempt_id).in_(attempt_ids))
            .order_by(col(CallEvent.id))
        ).all()
        phones = {v.phone_e164 for v in records if v.phone_e164}
        suppressions = session.exec(
            select(SuppressionEntry).where(col(SuppressionEntry.phone_e164).in_(phones))
        ).all()
        document = {
            "exported_at": _iso(clock.now()),
            "about": "Everything Marginal holds about this person, by campaign record.",
            "records": [
                {"campaign": names[v.campaign_id], **_row(v, leave_out=("attempts",))} for v in records
            ],
            "call_attempts": [_row(a) for a in attempts],
            "provider_callbacks": [_row(c) for c in callbacks],
            "outcomes": [_row(o, leave_out=("idempotency_key",)) for o in outcomes],
            "survey_answers": [
                {"outcome_id": a.outcome_id, "question": q.prompt, "answer": a.value} for a, q in answers
            ],
            "event_signups": [_row(s) for s in _linked(session, EventSignup, ids)],
            "carpool_requests": [_row(s) for s in _linked(session, CarpoolSeat, ids)],
            "pledges": [_row(s) for s in _linked(session, PledgeSignup, ids)],
            "do_not_call_list": [_row(s, leave_out=("created_by_id",)) for s in suppressions],
            **texts.held_about(session, ids, phones),
        }
        audit.record(
            session,
            clock,
            actor,
            Action.VOTER_EXPORTED,
            subject_type="voter",
            subject_id=voter_id,
            detail={"records": len(records)},
        )
        uow.commit()
        return document


def _linked(session: Session, model: Any, voter_ids: list[int | None]) -> list[Any]:
    return list(
        session.exec(select(model).where(col(model.voter_id).in_(voter_ids)).order_by(col(model.id))).all()
    )


# --- erasure ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    records: int
    answers_deleted: int
    callbacks_deleted: int
    do_not_call_fingerprints: int  # entries of the person's numbers, kept as fingerprints
    uploads_deleted: int = 0


def erase_voter(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    voter_id: int,
    *,
    number_key: bytes,
    queue: CallQueue,
) -> Erasure:
    """Remove the person behind this voter record from every campaign and from the call queues,
    keeping anonymous counts. A "do not call" stays absolute: its entry keeps the number's
    fingerprint (keyed by `number_key`)."""
    with uow:
        session = uow.session
        # Stop the person's campaigns' unfinished imports first (their rows locked), then read the
        # records again: a chunk that committed meanwhile may have added the person once more.
        now = clock.now()
        uploads = _drop_pending_uploads(session, {v.campaign_id for v in _records_of(session, voter_id)}, now)
        records = _records_of(session, voter_id)
        ids = [v.id for v in records]
        phones = {v.phone_e164 for v in records if v.phone_e164}
        queued = [(v.campaign_id, v.id) for v in records if v.id is not None]
        outcome_ids = list(session.exec(select(Outcome.id).where(col(Outcome.voter_id).in_(ids))).all())
        attempt_ids = list(
            session.exec(select(CallAttempt.id).where(col(CallAttempt.voter_id).in_(ids))).all()
        )

        answers = session.exec(delete(SurveyAnswer).where(col(SurveyAnswer.outcome_id).in_(outcome_ids)))
        callbacks = session.exec(delete(CallEvent).where(col(CallEvent.call_attempt_id).in_(attempt_ids)))
        kept_as_fingerprints = suppression.keep_only_fingerprints(session, phones, number_key)
        texts.forget(session, ids, phones)
        session.exec(
            update(Outcome).where(col(Outcome.id).in_(outcome_ids)).values(notes="", call_back_at=None)
        )
        session.exec(
            update(CallAttempt)
            .where(col(CallAttempt.id).in_(attempt_ids))
            .values(provider_sid=None, error="", draft=None)
        )
        for model in (EventSignup, CarpoolSeat, PledgeSignup):
            values: dict[str, Any] = {"name": ""} if model is not CarpoolSeat else {}
            if model is PledgeSignup:
                values["email"] = ""
            if values:
                session.exec(update(model).where(col(model.voter_id).in_(ids)).values(**values))
        for voter in records:
            voter.first_name = ""
            voter.last_name = ""
            voter.phone_e164 = None
            voter.postcode = ""
            voter.address = ""
            voter.area = ""
            voter.external_id = ""
            voter.done = True
            voter.next_call_at = None
            voter.erased_at = voter.erased_at or now
            session.add(voter)
        receipt = Erasure(
            records=len(records),
            answers_deleted=answers.rowcount,
            callbacks_deleted=callbacks.rowcount,
            do_not_call_fingerprints=kept_as_fingerprints,
            uploads_deleted=uploads,
        )
        audit.record(
            session,
            clock,
            actor,
            Action.VOTER_ERASED,
            subject_type="voter",
            subject_id=voter_id,
            detail={
                "records": receipt.records,
                "answers_deleted": receipt.answers_deleted,
                "uploads_deleted": receipt.uploads_deleted,
                "do_not_call_fingerprints": receipt.do_not_call_fingerprints,
            },
        )
        # Redis first: if it cannot be reached, nothing is erased and the request can be made again
        # (afterwards SQL no longer knows the number Redis would have to forget).
        queue.forget(phones, queued)
        uow.commit()
    queue.forget(phones, queued)  # again: a requeue between the two would have put the number back
    return receipt


#: What an organiser sees on an import whose upload an erasure removed.
UPLOAD_ERASED = "the uploaded file was removed by a data-protection erasure; upload it again"


def _drop_pending_uploads(session: Session, campaign_ids: set[int], now: datetime) -> int:
    """Delete the kept files of these campaigns' unfinished imports, which then stop as failed."""
    pending = session.exec(
        select(VoterImport)
        .join(VoterImportFile, col(VoterImportFile.import_id) == col(VoterImport.id))
        .where(col(VoterImport.campaign_id).in_(campaign_ids))
        .with_for_update(of=VoterImport)
    ).all()
    ids = [row.id for row in pending]
    if not ids:
        return 0
    session.exec(delete(VoterImportFile).where(col(VoterImportFile.import_id).in_(ids)))
    for row in pending:
        if row.status not in ("done", "failed"):
            row.status, row.failure, row.finished_at = "failed", UPLOAD_ERASED, now
            session.add(row)
    return len(ids)
