"""CSV exports for organisers: a campaign's conversation outcomes, and its sign-ups.

Each export is written to the audit log (who, what, when, from where) before the first byte goes
out, and is streamed in batches so a large campaign does not have to fit in memory. Voters' phone
numbers are not exported: the organiser's own reference and the voter id identify voters (the
email of someone who pledged on the public page is, as that is how organisers reach them). Cells that a
spreadsheet would run as a formula are defused with a leading apostrophe.

The columns are described in docs/EXPORTS.md. Every header is unique: survey answers are
`survey_<question key>`, so a question keyed `notes` cannot collide with the outcome's notes. Every
stable code (outcome, channel, status, kind) has a `_label` column beside it with the words the
pages show, and every time is ISO 8601 in UK time with its offset (`+00:00` in winter, `+01:00` in
summer), so a spreadsheet and a script read the same instant.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from dialer.clock import Clock
from dialer.domain.dispositions import DEFAULT_RULES, Disposition
from dialer.errors import NotFound
from dialer.models import (
    Campaign,
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

BATCH = 1000
KINDS = ("outcomes", "signups")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UK = ZoneInfo("Europe/London")
#: The prefix of a survey answer's column, before the question's key.
SURVEY_PREFIX = "survey_"

CHANNEL_LABELS = {"phone": "Phone call", "doorstep": "Doorstep", "web": "Web page"}
KIND_LABELS = {"event": "Event place", "carpool": "Carpool seat", "pledge": "Pledge"}
STATUS_LABELS = {
    "confirmed": "Confirmed",
    "waitlist": "On the waiting list",
    "cancelled": "Cancelled",
    "requested": "Requested",
    "accepted": "Accepted",
    "declined": "Declined",
    "pledged": "Pledged",
}
WHO_LABELS = {"voter": "Voter", "volunteer": "Volunteer", "public": "Member of the public"}


def outcome_label(code: str) -> str:
    """The words the calling page shows for an outcome's code."""
    try:
        return DEFAULT_RULES[Disposition(code)].label
    except ValueError:
        return code


def _label(labels: dict[str, str], code: str) -> str:
    return labels.get(code, code)


def export(
    uow_factory: Callable[[], UnitOfWork], clock: Clock, actor: Actor, campaign_id: int, kind: str
) -> Iterator[str]:
    """Record the export in the audit log, then return the CSV text as it is produced."""
    if kind not in KINDS:
        raise NotFound("no such export")
    with uow_factory() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        audit.record(
            uow.session,
            clock,
            actor,
            Action.CAMPAIGN_EXPORTED,
            subject_type="campaign",
            subject_id=campaign_id,
            detail={"export": kind, "format": "csv"},
        )
        uow.commit()
    rows = _outcome_rows if kind == "outcomes" else _signup_rows
    return csv_text(rows(uow_factory, campaign_id))


def csv_text(rows: Iterable[list[Any]]) -> Iterator[str]:
    """Rows as CSV text in batches, every cell a spreadsheet would run as a formula defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(value) for value in row])
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UK).isoformat(timespec="seconds")
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _outcome_rows(uow_factory: Callable[[], UnitOfWork], campaign_id: int) -> Iterator[list[Any]]:
    with uow_factory() as uow:
        session = uow.session
        questions = session.exec(
            select(SurveyQuestion)
            .where(SurveyQuestion.campaign_id == campaign_id)
            .order_by(col(SurveyQuestion.position), col(SurveyQuestion.id))
        ).all()
        yield [
            "outcome_id",
            "recorded_at",
            "channel",
            "channel_label",
            "outcome",
            "outcome_label",
            "voter_id",
            "voter_reference",
            "first_name",
            "last_name",
            "postcode",
            "volunteer",
            "event",
            "notes",
            *[SURVEY_PREFIX + question.key for question in questions],
        ]
        last_id = 0
        while True:
            batch = session.exec(
                select(Outcome, Voter, User.first_name, Event.title)
                .join(Voter, col(Voter.id) == col(Outcome.voter_id), isouter=True)
                .join(User, col(User.id) == col(Outcome.user_id), isouter=True)
                .join(Event, col(Event.id) == col(Outcome.event_id), isouter=True)
                .where(Outcome.campaign_id == campaign_id, col(Outcome.id) > last_id)
                .order_by(col(Outcome.id))
                .limit(BATCH)
            ).all()
            if not batch:
                return
            ids = [outcome.id for outcome, _, _, _ in batch]
            answers: dict[tuple[int, int], Any] = {
                (outcome_id, question_id): value
                for outcome_id, question_id, value in session.exec(
                    select(SurveyAnswer.outcome_id, SurveyAnswer.question_id, SurveyAnswer.value).where(
                        col(SurveyAnswer.outcome_id).in_(ids)
                    )
                )
            }
            for outcome, voter, volunteer, event_title in batch:
                assert outcome.id is not None
                yield [
                    outcome.id,
                    outcome.created_at,
                    outcome.channel,
                    _label(CHANNEL_LABELS, outcome.channel),
                    outcome.disposition.value,
                    outcome_label(outcome.disposition.value),
                    outcome.voter_id,
                    voter.external_id if voter else "",
                    voter.first_name if voter else "",
                    voter.last_name if voter else "",
                    voter.postcode if voter else "",
                    volunteer or "",
                    event_title or "",
                    outcome.notes,
                    *[answers.get((outcome.id, question.id or 0)) for question in questions],
                ]
            last_id = batch[-1][0].id or last_id


def _signup_rows(uow_factory: Callable[[], UnitOfWork], campaign_id: int) -> Iterator[list[Any]]:
    yield list(SIGNUP_HEADER)
    for row in _signup_facts(uow_factory, campaign_id):
        kind, signup_id, at, what, status, who, name, voter_id, ref, outcome_id, channel, email = row
        yield [
            kind, _label(KIND_LABELS, kind), signup_id, at, what, status, _label(STATUS_LABELS, status),
            who, _label(WHO_LABELS, who), name, voter_id, ref, outcome_id,
            channel, _label(CHANNEL_LABELS, channel) if channel else "", email,
        ]  # fmt: skip


SIGNUP_HEADER = (
    "kind", "kind_label", "signup_id", "recorded_at", "what", "status", "status_label", "who", "who_label",
    "name", "voter_id", "voter_reference", "from_outcome_id", "channel", "channel_label", "email",
)  # fmt: skip


def _signup_facts(uow_factory: Callable[[], UnitOfWork], campaign_id: int) -> Iterator[list[Any]]:
    """Each sign-up as (kind, id, when, what, status, who, name, voter id, reference, outcome id,
    channel, email), codes unlabelled."""
    with uow_factory() as uow:
        session = uow.session
        voters: dict[int, str] = {}

        def reference(voter_id: int | None) -> str:
            if voter_id is None:
                return ""
            if voter_id not in voters:
                voter = session.get(Voter, voter_id)
                voters[voter_id] = voter.external_id if voter else ""
            return voters[voter_id]

        for signup, title in session.exec(
            select(EventSignup, Event.title)
            .join(Event, col(Event.id) == col(EventSignup.event_id))
            .where(Event.campaign_id == campaign_id)
            .order_by(col(EventSignup.id))
        ):
            who = "voter" if signup.voter_id else "volunteer"
            yield [
                "event", signup.id, signup.created_at, title, signup.status, who, signup.name,
                signup.voter_id, reference(signup.voter_id), signup.outcome_id, "", "",
            ]  # fmt: skip
        for seat, title, pickup, rider in session.exec(
            select(CarpoolSeat, Event.title, Carpool.pickup_postcode, User.first_name)
            .join(Carpool, col(Carpool.id) == col(CarpoolSeat.carpool_id))
            .join(Event, col(Event.id) == col(Carpool.event_id))
            .join(User, col(User.id) == col(CarpoolSeat.rider_id), isouter=True)
            .where(Event.campaign_id == campaign_id)
            .order_by(col(CarpoolSeat.id))
        ):
            who = "voter" if seat.voter_id else "volunteer"
            name = rider or ""
            if seat.voter_id is not None:
                voter = session.get(Voter, seat.voter_id)
                name = voter.first_name if voter else ""
            yield [
                "carpool", seat.id, seat.created_at, f"Carpool to {title} from {pickup}", seat.status, who,
                name, seat.voter_id, reference(seat.voter_id), seat.outcome_id, "", "",
            ]  # fmt: skip
        for pledge_signup, text in session.exec(
            select(PledgeSignup, Pledge.text)
            .join(Pledge, col(Pledge.id) == col(PledgeSignup.pledge_id))
            .where(Pledge.campaign_id == campaign_id)
            .order_by(col(PledgeSignup.id))
        ):
            who = "voter" if pledge_signup.voter_id else "volunteer" if pledge_signup.user_id else "public"
            yield [
                "pledge", pledge_signup.id, pledge_signup.created_at, text, "pledged", who, pledge_signup.name,
                pledge_signup.voter_id, reference(pledge_signup.voter_id), pledge_signup.outcome_id,
                pledge_signup.channel, pledge_signup.email,
            ]  # fmt: skip
