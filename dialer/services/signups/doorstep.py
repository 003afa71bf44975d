"""Doorstep canvassing: who may canvass, an event's walk list, and visits recorded exactly once from
a flaky phone.

A walk list is names and home addresses, and a visit can put a number on the do-not-call list or
store someone's political opinions: so a place at an event is not enough. An organiser of the
event's campaign approves each volunteer with a confirmed place who may canvass at it
(`approve_canvasser`, audited), and a canvasser sees the list and records visits only around the
event's time (`is_canvassing`), only for the voters on that event's walk list, each shown with the
fewest details a knock on the door needs (first name and initial, address, postcode).

The doorstep page queues each visit on the device with a key it makes up, and sends it until the
server confirms. Recording is idempotent on that key: the first delivery stores the outcome, every
later one (a retry after a lost reply, a second tab) gets the same outcome back. Sign-ups made at
the door are replayed with it and are idempotent per voter, so a retry completes, never doubles.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
    Pledge,
    PledgeSignup,
    SurveyAnswer,
    Voter,
)
from dialer.ports import UnitOfWork
from dialer.services.accounts import roles
from dialer.services.campaigns import campaigns
from dialer.services.compliance import audit, suppression
from dialer.services.compliance.audit import Action, Actor
from dialer.services.signups import events, pledges

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
    ends_at: datetime  # after it the phone deletes its copy of the list (web/static/js/doorstep-sw.js)
    doors: list[Door]
    questions: list[Question]


def is_canvassing(
    uow: UnitOfWork, clock: Clock, user_id: int, event_id: int, *, recording: bool = False
) -> bool:
    """True for a canvasser an organiser approved, with a confirmed place at the event, while it is on.

    A walk list is names and home addresses: a canvasser sees it from an hour before the event
    starts until it ends, not whenever they like. Visits queued on a phone that was offline at the
    end are still accepted for a day afterwards. (The campaign's organisers may always: that is
    their access policy's part.)
    """
    with uow:
        event = uow.session.get(Event, event_id)
        return event is not None and _canvassing(uow.session, clock, user_id, event, recording=recording)


def _canvassing(session: Session, clock: Clock, user_id: int, event: Event, *, recording: bool) -> bool:
    if event.campaign_id is None:
        return False
    assert event.starts_at is not None and event.ends_at is not None
    closes = event.ends_at + (LATE_VISITS if recording else timedelta(0))
    if not event.starts_at - WALK_LIST_OPENS <= clock.now() <= closes:
        return False
    place = session.exec(
        select(EventSignup.id).where(
            EventSignup.event_id == event.id,
            EventSignup.user_id == user_id,
            EventSignup.status == events.CONFIRMED,
            col(EventSignup.canvass_approved_at).is_not(None),
        )
    ).first()
    return place is not None


def approve_canvasser(uow: UnitOfWork, clock: Clock, actor: Actor, event_id: int, user_id: int) -> None:
    """Let the volunteer with a confirmed place at the event canvass at it (see its walk list, record
    visits); the caller is an organiser of the event's campaign (the route's policy), or the demo."""
    _set_canvasser(uow, clock, actor, event_id, user_id, approved=True)


def withdraw_canvasser(uow: UnitOfWork, clock: Clock, actor: Actor, event_id: int, user_id: int) -> None:
    """Stop the volunteer canvassing at the event (their place stays)."""
    _set_canvasser(uow, clock, actor, event_id, user_id, approved=False)


def _set_canvasser(
    uow: UnitOfWork, clock: Clock, actor: Actor, event_id: int, user_id: int, *, approved: bool
) -> None:
    with uow:
        session = uow.session
        place = session.exec(
            select(EventSignup).where(
                EventSignup.event_id == event_id,
                EventSignup.user_id == user_id,
                EventSignup.status == events.CONFIRMED,
            )
        ).first()
        if place is None:
            raise NotFound("this volunteer has no confirmed place at this event")
        if (place.canvass_approved_at is not None) == approved:
            return
        place.canvass_approved_at = clock.now() if approved else None
        place.canvass_approved_by_id = actor.user_id if approved else None
        session.add(place)
        audit.record(
            session,
            clock,
            actor,
            Action.CANVASSER_APPROVED if approved else Action.CANVASSER_WITHDRAWN,
            subject_type="user",
            subject_id=user_id,
            detail={"event_id": event_id},
        )
        uow.commit()


#: The most volunteers one bulk approval may name (a full event is far fewer).
MAX_BULK_APPROVALS = 500


def approve_canvassers(
    uow: UnitOfWork, clock: Clock, actor: Actor, event_id: int, user_ids: Collection[int]
) -> int:
    """Approve in one go every volunteer named who has a confirmed place at the event (each approval
    audited as `approve_canvasser` audits one); anyone else named, such as a volunteer of another
    campaign's event, is left as they were. Returns how many were newly approved."""
    if len(user_ids) > MAX_BULK_APPROVALS:
        raise InvalidInput(f"approve at most {MAX_BULK_APPROVALS} volunteers at once")
    with uow:
        session = uow.session
        if session.get(Event, event_id) is None:
            raise NotFound("no such event")
        places = session.exec(
            select(EventSignup).where(
                EventSignup.event_id == event_id,
                col(EventSignup.user_id).in_(sorted(set(user_ids))),
                EventSignup.status == events.CONFIRMED,
                col(EventSignup.canvass_approved_at).is_(None),
            )
        ).all()
        now = clock.now()
        for place in places:
            place.canvass_approved_at = now
            place.canvass_approved_by_id = actor.user_id
            session.add(place)
            audit.record(
                session,
                clock,
                actor,
                Action.CANVASSER_APPROVED,
                subject_type="user",
                subject_id=place.user_id,
                detail={"event_id": event_id, "bulk": True},
            )
        uow.commit()
        return len(places)


def pledgers_at(uow: UnitOfWork, event_id: int) -> frozenset[int]:
    """The accounts with a place at the event that made one of its campaign's pledges."""
    with uow:
        rows = uow.session.exec(
            select(EventSignup.user_id)
            .join(Event, col(Event.id) == EventSignup.event_id)
            .join(Pledge, col(Pledge.campaign_id) == Event.campaign_id)
            .join(
                PledgeSignup,
                (col(PledgeSignup.pledge_id) == Pledge.id)
                & (col(PledgeSignup.user_id) == EventSignup.user_id),
            )
            .where(EventSignup.event_id == event_id)
            .distinct()
        ).all()
        return frozenset(user_id for user_id in rows if user_id is not None)


def canvassers_of(uow: UnitOfWork, event_id: int) -> frozenset[int]:
    """The accounts approved to canvass at the event (with a confirmed place)."""
    with uow:
        rows = uow.session.exec(
            select(EventSignup.user_id).where(
                EventSignup.event_id == event_id,
                EventSignup.status == events.CONFIRMED,
                col(EventSignup.canvass_approved_at).is_not(None),
            )
        ).all()
        return frozenset(user_id for user_id in rows if user_id is not None)


def walk_list(uow: UnitOfWork, event_id: int) -> WalkList:
    """The campaign's voters with an address in the meeting point's postcode district, street by street."""
    with uow:
        session = uow.session
        event = session.get(Event, event_id)
        if event is None:
            raise NotFound("no such event")
        if event.campaign_id is None:
            raise InvalidInput("this event has no campaign, so it has no walk list")
        assert event.ends_at is not None  # not nullable
        voters = _walk_list_voters(session, event)
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
                name=_door_name(voter),
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
            ends_at=event.ends_at,
            doors=doors,
            questions=campaigns.survey_of(session, event.campaign_id),
        )


def _walk_list_voters(session: Session, event: Event) -> list[Voter]:
    """The campaign's callable voters with an address in the meeting point's postcode district."""
    district = outcode(event.meeting_postcode)
    return list(
        session.exec(
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
    )


def _door_name(voter: Voter) -> str:
    """Who to ask for at the door: a first name and the surname's initial, no more."""
    initial = f" {voter.last_name[:1]}." if voter.last_name else ""
    return f"{voter.first_name}{initial}".strip()


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
            event = session.get(Event, visit.event_id)
            assert event is not None  # the replayed outcome was stored for it
            _check_sign_ups(session, event, visit)
            outcome_id, created = replay, False
    return Receipt(outcome_id, created, tuple(_sign_up(uow, clock, visit, outcome_id)))


def _replay(session: Session, visit: Visit, user_id: int) -> int | None:
    existing = session.exec(select(Outcome).where(Outcome.idempotency_key == visit.idempotency_key)).first()
    if existing is None:
        return None
    if (existing.user_id, existing.voter_id, existing.event_id) != (user_id, visit.voter_id, visit.event_id):
        raise InvalidInput("this visit's key was already used for another visit")
    assert existing.id is not None
    return existing.id


def _store(session: Session, clock: Clock, visit: Visit, disposition: Disposition, user_id: int) -> int:
    """Check who is recording, and that every id belongs to the event's campaign, then store the visit."""
    event = session.get(Event, visit.event_id)
    if event is None or event.campaign_id is None:
        raise NotFound("no such event")
    if not roles.runs_campaign(session, user_id, event.campaign_id) and not _canvassing(
        session, clock, user_id, event, recording=True
    ):
        raise NotFound("no such event among those you are canvassing")
    voter = next((door for door in _walk_list_voters(session, event) if door.id == visit.voter_id), None)
    if voter is None:
        raise NotFound("no such voter on this event's walk list")
    _check_sign_ups(session, event, visit)
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


def _check_sign_ups(session: Session, event: Event, visit: Visit) -> None:
    """Events and pledges offered at the door are the event's campaign's (or events of no campaign)."""
    for event_id in visit.event_ids:
        other = session.get(Event, event_id)
        if other is None or other.campaign_id not in (None, event.campaign_id):
            raise NotFound(f"no event {event_id} of this campaign")
    for pledge_id in visit.pledge_ids:
        pledge = session.get(Pledge, pledge_id)
        if pledge is None or pledge.campaign_id != event.campaign_id:
            raise NotFound(f"no pledge {pledge_id} of this campaign")


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
