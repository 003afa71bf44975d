"""Doorstep canvassing: an event's walk list, and visits recorded exactly once from a flaky phone.

The doorstep page queues each visit on the device with a key it makes up, and sends it until the
server confirms. Recording is idempotent on that key: the first delivery stores the outcome, every
later one (a retry after a lost reply, a second tab) gets the same outcome back. Sign-ups made at
the door are replayed with it and are idempotent per voter, so a retry completes, never doubles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain.dispositions import Disposition
from dialer.domain.doorstep import DOORSTEP_OUTCOMES, OPT_OUTS
from dialer.domain.places import outcode
from dialer.domain.surveys import Question, check_answers
from dialer.errors import InvalidInput, NotFound
from dialer.models import (
    Event,
    EventSignup,
    Outcome,
    SurveyAnswer,
    Voter,
)
from dialer.ports import UnitOfWork
from dialer.services import campaigns, events, pledges, suppression
from dialer.services.audit import Actor

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
WALK_LIST_LIMIT = 400
WALK_LIST_OPENS = timedelta(hours=1)
LATE_VISITS = timedelta(hours=24)


@dataclass(frozen=True)
class Visit:
    """One doorstep conversation as the device sends it."""

    idempotency_key: str
    event_id: int
    voter_id: int
    disposition: str
    answers: dict[str, object] = field(default_factory=dict)
    notes: str = ""
    event_ids: tuple[int, ...] = ()
    pledge_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Receipt:
    """What the device is told: the outcome stored, whether just now, and sign-ups that failed."""

    outcome_id: int
    created: bool
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Door:
    voter_id: int
    name: str
    address: str
    postcode: str
    visited: str | None  # the label of the latest outcome recorded at this event


@dataclass(frozen=True)
class WalkList:
    event_id: int
    campaign_id: int
    title: str
    meeting_postcode: str
    doors: list[Door]
    questions: list[Question]


def is_canvassing(
    uow: UnitOfWork, clock: Clock, user_id: int, event_id: int, *, recording: bool = False
) -> bool:
    """True for a canvasser with a confirmed place at the event, while it is on.

    A walk list is names and home addresses: a canvasser sees it from an hour before the event
    starts until it ends, not whenever they like. Visits queued on a phone that was offline at the
    end are still accepted for a day afterwards. (The campaign's organisers may always: that is
    their access policy's part.)
    """
    with uow:
        event = uow.session.get(Event, event_id)
        if event is None or event.campaign_id is None:
            return False
        assert event.starts_at is not None and event.ends_at is not None
        closes = event.ends_at + (LATE_VISITS if recording else timedelta(0))
        if not event.starts_at - WALK_LIST_OPENS <= clock.now() <= closes:
            return False
        place = uow.session.exec(
            select(EventSignup.id).where(
                EventSignup.event_id == event_id,
                EventSignup.user_id == user_id,
                EventSignup.status == events.CONFIRMED,
            )
        ).first()
        return place is not None


def walk_list(uow: UnitOfWork, event_id: int) -> WalkList:
    """The campaign's voters with an address in the meeting point's postcode district, street by street."""
    with uow:
        session = uow.session
        event = session.get(Event, event_id)
        if event is None:
            raise NotFound("no such event")
        if event.campaign_id is None:
            raise InvalidInput("this event has no campaign, so it has no walk list")
        district = outcode(event.meeting_postcode)
        voters = session.exec(
            select(Voter)
            .where(
                Voter.campaign_id == event.campaign_id,
                Voter.address != "",
                col(Voter.postcode).startswith(district + " "),
                col(Voter.do_not_call).is_(False),
                col(Voter.erased_at).is_(None),
            )
            .order_by(col(Voter.postcode), col(Voter.address), col(Voter.id))
            .limit(WALK_LIST_LIMIT)
        ).all()
        visited: dict[int, str] = {}
        for voter_id, disposition in session.exec(
            select(Outcome.voter_id, Outcome.disposition)
            .where(Outcome.event_id == event_id, Outcome.channel == "doorstep")
            .order_by(col(Outcome.id))
        ):
            if voter_id is not None:
                visited[voter_id] = DOORSTEP_OUTCOMES.get(Disposition(disposition), str(disposition))
        doors = [
            Door(
                voter_id=voter.id or 0,
                name=f"{voter.first_name} {voter.last_name}".strip(),
                address=voter.address,
                postcode=voter.postcode,
                visited=visited.get(voter.id or 0),
            )
            for voter in voters
        ]
        return WalkList(
            event_id=event_id,
            campaign_id=event.campaign_id,
            title=event.title,
            meeting_postcode=event.meeting_postcode,
            doors=doors,
            questions=campaigns.survey_of(session, event.campaign_id),
        )


def record_visit(uow: UnitOfWork, clock: Clock, visit: Visit, *, user_id: int) -> Receipt:
    """Store a visit once; a sign-up that cannot be made (a closed pledge) does not undo it."""
    if not _KEY.match(visit.idempotency_key):
        raise InvalidInput("the visit's key must be 8-64 letters, digits, dashes or underscores")
    try:
        disposition = Disposition(visit.disposition)
    except ValueError:
        raise InvalidInput(f"unknown doorstep outcome {visit.disposition!r}") from None
    if disposition not in DOORSTEP_OUTCOMES:
        raise InvalidInput(f"{disposition.value!r} is not a doorstep outcome")
    if len(visit.notes) > 2000:
        raise InvalidInput("notes are at most 2000 characters")
    with uow:
        session = uow.session
        replay = _replay(session, visit, user_id)
        if replay is None:
            try:
                outcome_id = _store(session, clock, visit, disposition, user_id)
                uow.commit()
                created = True
            except IntegrityError:
                # The same key arrived twice at once; the other delivery stored it.
                uow.rollback()
                replay = _replay(session, visit, user_id)
                if replay is None:
                    raise
        if replay is not None:
            outcome_id, created = replay, False
    return Receipt(outcome_id, created, tuple(_sign_up(uow, clock, visit, outcome_id)))


def _replay(session: Session, visit: Visit, user_id: int) -> int | None:
    existing = session.exec(select(Outcome).where(Outcome.idempotency_key == visit.idempotency_key)).first()
    if existing is None:
        return None
    if existing.user_id != user_id or existing.voter_id != visit.voter_id:
        raise InvalidInput("this visit's key was already used for another visit")
    assert existing.id is not None
    return existing.id


def _store(session: Session, clock: Clock, visit: Visit, disposition: Disposition, user_id: int) -> int:
    event = session.get(Event, visit.event_id)
    voter = session.get(Voter, visit.voter_id)
    if event is None or event.campaign_id is None:
        raise NotFound("no such event")
    if voter is None or voter.erased_at is not None or voter.campaign_id != event.campaign_id:
        raise NotFound("no such voter on this event's walk list")
    answers = check_answers(
        campaigns.survey_of(session, event.campaign_id),
        visit.answers,
        talked=disposition is Disposition.TALKED,
    )
    now = clock.now()
    outcome = Outcome(
        campaign_id=event.campaign_id,
        voter_id=voter.id,
        user_id=user_id,
        channel="doorstep",
        event_id=event.id,
        disposition=disposition,
        notes=visit.notes.strip(),
        idempotency_key=visit.idempotency_key,
        created_at=now,
    )
    session.add(outcome)
    session.flush()
    assert outcome.id is not None
    for question_id, value in answers.items():
        session.add(SurveyAnswer(outcome_id=outcome.id, question_id=question_id, value=value))
    if disposition in OPT_OUTS:
        suppression.mark_do_not_call(
            session, clock, voter, Actor(user_id), source=f"doorstep, event {event.id}"
        )
    return outcome.id


def _sign_up(uow: UnitOfWork, clock: Clock, visit: Visit, outcome_id: int) -> list[str]:
    problems = []
    for event_id in dict.fromkeys(visit.event_ids):
        try:
            events.sign_up(uow, clock, event_id, voter_id=visit.voter_id, outcome_id=outcome_id)
        except (InvalidInput, NotFound) as exc:
            problems.append(f"event sign-up: {exc}")
    for pledge_id in dict.fromkeys(visit.pledge_ids):
        try:
            pledges.make_pledge(
                uow, clock, pledge_id, channel="doorstep", voter_id=visit.voter_id, outcome_id=outcome_id
            )
        except (InvalidInput, NotFound) as exc:
            problems.append(f"pledge: {exc}")
    return problems
