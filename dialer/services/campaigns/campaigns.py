"""Setting up a phone bank: a campaign with its seats, script, survey and calling rules, and its voters.

The organiser's screens (another release) and the demo seeding both come through here, so every
campaign is validated the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain import phones
from dialer.domain.campaign_settings import CallingSettings, default_information_message, validated
from dialer.domain.campaigns import CampaignStatus
from dialer.domain.surveys import Question, QuestionKind, validated_options
from dialer.errors import InvalidInput, NotFound
from dialer.models import (
    Campaign,
    CampaignOrganiser,
    CampaignSeat,
    Constituency,
    SurveyAnswer,
    SurveyQuestion,
    Voter,
)
from dialer.ports import Telephony, UnitOfWork
from dialer.services.campaigns import caller_ids
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    prompt: str
    kind: QuestionKind
    options: Sequence[str] = ()
    required: bool = False


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    calling: CallingSettings
    seats: Sequence[str] = ()  # ONS constituency codes
    script_md: str = ""
    questions: Sequence[QuestionSpec] = ()
    information_message: str = ""
    show_surname: bool = False
    slug: str = ""


@dataclass(frozen=True)
class VoterSpec:
    first_name: str
    phone: str
    last_name: str = ""
    postcode: str = ""
    address: str = ""
    area: str = ""
    ons_code: str | None = None
    external_id: str = ""
    tps: bool = False


@dataclass
class VoterImportResult:
    added: int = 0
    errors: list[str] = field(default_factory=list)


def create_campaign(
    uow: UnitOfWork,
    spec: CampaignSpec,
    *,
    now: datetime,
    organiser_id: int | None = None,
    telephony: Telephony | None = None,
) -> int:
    """Validate and store a campaign (as a draft), run by `organiser_id`; returns its id.

    Bad input raises InvalidInput (with `field` naming the setting at fault); with `telephony`, a
    caller ID the account cannot call from is bad input too."""
    name = spec.name.strip()
    if not name:
        raise InvalidInput("a campaign needs a name", field="name")
    calling = validated(spec.calling)
    _check_caller_id(telephony, calling.caller_id)
    slug = spec.slug or _slug(name)
    questions = _questions(spec.questions)
    with uow:
        session = uow.session
        if session.exec(select(Campaign.id).where(Campaign.slug == slug)).first() is not None:
            raise InvalidInput(f"a campaign called {slug!r} already exists", field="name")
        _check_seats(session, spec.seats)
        campaign = Campaign(
            name=name,
            slug=slug,
            script_md=spec.script_md,
            information_message=spec.information_message.strip()
            or default_information_message(name, calling.caller_id),
            caller_id=calling.caller_id,
            dialing_mode=calling.dialing_mode,
            max_attempts=calling.max_attempts,
            ring_timeout_s=calling.ring_timeout_s,
            amd_enabled=calling.amd_enabled,
            weekday_start=calling.weekday_start,
            weekday_end=calling.weekday_end,
            weekend_start=calling.weekend_start,
            weekend_end=calling.weekend_end,
            retry_overrides=dict(calling.retry_overrides),
            seat_grace_s=calling.seat_grace_s,
            show_surname=spec.show_surname,
            created_at=now,
        )
        session.add(campaign)
        session.flush()
        assert campaign.id is not None
        session.add_all(
            CampaignSeat(campaign_id=campaign.id, ons_code=code) for code in dict.fromkeys(spec.seats)
        )
        for position, question in enumerate(questions):
            question.campaign_id = campaign.id
            question.position = position
            session.add(question)
        if organiser_id is not None:
            session.add(CampaignOrganiser(campaign_id=campaign.id, user_id=organiser_id))
        uow.commit()
        return campaign.id


def update_campaign(
    uow: UnitOfWork,
    campaign_id: int,
    spec: CampaignSpec,
    *,
    clock: Clock,
    actor: Actor,
    telephony: Telephony | None = None,
) -> None:
    """Change a campaign's settings, seats and survey (validated as on creation).

    A question voters have already answered keeps its key and kind (its answers would otherwise
    change meaning); its wording and options may still be corrected.
    """
    name = spec.name.strip()
    if not name:
        raise InvalidInput("a campaign needs a name", field="name")
    calling = validated(spec.calling)
    _check_caller_id(telephony, calling.caller_id)
    questions = _questions(spec.questions)
    with uow:
        session = uow.session
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        _check_seats(session, spec.seats)
        before = _audited_settings(campaign)
        campaign.name = name
        campaign.script_md = spec.script_md
        campaign.information_message = spec.information_message.strip() or default_information_message(
            name, calling.caller_id
        )
        campaign.caller_id = calling.caller_id
        campaign.dialing_mode = calling.dialing_mode
        campaign.max_attempts = calling.max_attempts
        campaign.ring_timeout_s = calling.ring_timeout_s
        campaign.amd_enabled = calling.amd_enabled
        campaign.weekday_start, campaign.weekday_end = calling.weekday_start, calling.weekday_end
        campaign.weekend_start, campaign.weekend_end = calling.weekend_start, calling.weekend_end
        campaign.retry_overrides = dict(calling.retry_overrides)
        campaign.seat_grace_s = calling.seat_grace_s
        campaign.show_surname = spec.show_surname
        wanted = list(dict.fromkeys(spec.seats))
        for seat in session.exec(select(CampaignSeat).where(CampaignSeat.campaign_id == campaign_id)).all():
            if seat.ons_code not in wanted:
                session.delete(seat)
        have = set(session.exec(select(CampaignSeat.ons_code).where(CampaignSeat.campaign_id == campaign_id)))
        session.add_all(CampaignSeat(campaign_id=campaign_id, ons_code=c) for c in wanted if c not in have)
        _replace_questions(session, campaign_id, questions)
        changed = sorted(
            name for name, value in _audited_settings(campaign).items() if before.get(name) != value
        )
        audit.record(
            session,
            clock,
            actor,
            Action.CAMPAIGN_SETTINGS_CHANGED,
            subject_type="campaign",
            subject_id=campaign_id,
            detail={"changed": changed},
        )
        uow.commit()


def _audited_settings(campaign: Campaign) -> dict[str, object]:
    """The settings whose change the audit log names (by name only: a script is not copied there)."""
    return {
        name: getattr(campaign, name)
        for name in (
            "name",
            "script_md",
            "information_message",
            "caller_id",
            "dialing_mode",
            "max_attempts",
            "ring_timeout_s",
            "amd_enabled",
            "weekday_start",
            "weekday_end",
            "weekend_start",
            "weekend_end",
            "retry_overrides",
            "show_surname",
        )
    }


def campaign_spec(uow: UnitOfWork, campaign_id: int) -> tuple[CampaignSpec, CampaignStatus]:
    """A campaign's settings as the form edits them, and its status."""
    with uow:
        session = uow.session
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        seats = session.exec(
            select(CampaignSeat.ons_code).where(CampaignSeat.campaign_id == campaign_id)
        ).all()
        survey = survey_of(session, campaign_id)
        return (
            CampaignSpec(
                name=campaign.name,
                calling=CallingSettings(
                    caller_id=campaign.caller_id,
                    dialing_mode=campaign.dialing_mode,
                    max_attempts=campaign.max_attempts,
                    ring_timeout_s=campaign.ring_timeout_s,
                    amd_enabled=campaign.amd_enabled,
                    weekday_start=campaign.weekday_start,
                    weekday_end=campaign.weekday_end,
                    weekend_start=campaign.weekend_start,
                    weekend_end=campaign.weekend_end,
                    retry_overrides=dict(campaign.retry_overrides),
                    seat_grace_s=campaign.seat_grace_s,
                ),
                seats=list(seats),
                script_md=campaign.script_md,
                questions=[QuestionSpec(q.key, q.prompt, q.kind, q.options, q.required) for q in survey],
                information_message=campaign.information_message,
                show_surname=campaign.show_surname,
                slug=campaign.slug,
            ),
            campaign.status,
        )


def seat_choices(uow: UnitOfWork) -> list[tuple[str, str]]:
    """Every constituency of the current boundaries, by name (what a campaign may target)."""
    with uow:
        rows = uow.session.exec(
            select(Constituency.ons_code, Constituency.name)
            .where(Constituency.boundary_set == "2024")
            .order_by(col(Constituency.name))
        ).all()
        return [(code, name) for code, name in rows]


def _check_seats(session: Session, seats: Sequence[str]) -> None:
    for code in seats:
        if session.get(Constituency, code) is None:
            raise InvalidInput(f"{code!r} is not a constituency we know", field="seats")


def _replace_questions(session: Session, campaign_id: int, questions: list[SurveyQuestion]) -> None:
    existing = {
        q.key: q
        for q in session.exec(select(SurveyQuestion).where(SurveyQuestion.campaign_id == campaign_id)).all()
    }
    answered = set(
        session.exec(
            select(SurveyAnswer.question_id).where(
                col(SurveyAnswer.question_id).in_([q.id for q in existing.values()])
            )
        ).all()
    )
    wanted = {q.key for q in questions}
    for key, old in existing.items():
        if key not in wanted:
            if old.id in answered:
                raise InvalidInput(
                    f"question {key!r} has answers already, so it cannot be removed", field="questions"
                )
            session.delete(old)
    session.flush()
    for position, question in enumerate(questions):
        row = existing.get(question.key)
        if row is None:
            question.campaign_id, question.position = campaign_id, position
            session.add(question)
            continue
        if row.id in answered and row.kind != question.kind:
            raise InvalidInput(
                f"question {question.key!r} has answers already, so its kind cannot change", field="questions"
            )
        row.prompt, row.kind, row.options = question.prompt, question.kind, question.options
        row.required, row.position = question.required, position


def set_status(uow: UnitOfWork, campaign_id: int, status: CampaignStatus) -> None:
    """Open (active), pause or end a phone bank."""
    with uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        campaign.status = status
        uow.commit()


def add_voters(
    uow: UnitOfWork, campaign_id: int, voters: Sequence[VoterSpec], *, now: datetime
) -> VoterImportResult:
    """Add voters with their numbers normalised to E.164; a bad row is reported and skipped, never guessed."""
    result = VoterImportResult()
    with uow:
        if uow.session.get(Campaign, campaign_id) is None:
            raise NotFound("no such campaign")
        known = {
            _same_person(first, last, phone)
            for first, last, phone in uow.session.exec(
                select(Voter.first_name, Voter.last_name, Voter.phone_e164).where(
                    Voter.campaign_id == campaign_id
                )
            ).all()
        }
        for row, spec in enumerate(voters, start=1):
            try:
                phone = phones.normalise_phone(spec.phone)
            except InvalidInput as exc:
                result.errors.append(f"row {row}: {exc}")
                continue
            if not spec.first_name.strip():
                result.errors.append(f"row {row}: a first name is needed")
                continue
            person = _same_person(spec.first_name.strip(), spec.last_name.strip(), phone)
            if person in known:  # people may share a number (a household); one person is listed once
                result.errors.append(f"row {row}: {spec.first_name} is already listed with this number")
                continue
            known.add(person)
            uow.session.add(
                Voter(
                    campaign_id=campaign_id,
                    external_id=spec.external_id,
                    first_name=spec.first_name.strip(),
                    last_name=spec.last_name.strip(),
                    phone_e164=phone,
                    postcode=spec.postcode.strip().upper(),
                    address=spec.address.strip(),
                    area=spec.area.strip(),
                    ons_code=spec.ons_code,
                    tps=spec.tps,
                    created_at=now,
                )
            )
            result.added += 1
        uow.commit()
    return result


def _questions(specs: Sequence[QuestionSpec]) -> list[SurveyQuestion]:
    questions = []
    keys: set[str] = set()
    for spec in specs:
        key = spec.key.strip()
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
            raise InvalidInput(
                f"question key {spec.key!r} must be lower-case letters, digits and _", field="questions"
            )
        if key in keys:
            raise InvalidInput(f"two questions share the key {key!r}", field="questions")
        keys.add(key)
        if not spec.prompt.strip():
            raise InvalidInput(f"question {key!r} needs a prompt", field="questions")
        kind = QuestionKind(spec.kind)
        questions.append(
            SurveyQuestion(
                campaign_id=0,
                key=key,
                prompt=spec.prompt.strip(),
                kind=kind,
                options=validated_options(kind, spec.options),
                required=spec.required,
            )
        )
    return questions


def _check_caller_id(telephony: Telephony | None, caller_id: str) -> None:
    if telephony is not None and (problem := caller_ids.problem_with(telephony, caller_id)):
        raise InvalidInput(problem[0].upper() + problem[1:], field="caller_id")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "campaign"


def campaign_ids_by_status(uow: UnitOfWork, status: CampaignStatus) -> list[int]:
    with uow:
        return [
            cid
            for cid in uow.session.exec(select(Campaign.id).where(col(Campaign.status) == status)).all()
            if cid
        ]


def survey_of(session: Session, campaign_id: int) -> list[Question]:
    """The campaign's survey questions in order, as the answer rules read them."""
    rows = session.exec(
        select(SurveyQuestion)
        .where(SurveyQuestion.campaign_id == campaign_id)
        .order_by(col(SurveyQuestion.position), col(SurveyQuestion.id))
    ).all()
    return [
        Question(row.id or 0, row.key, row.prompt, QuestionKind(row.kind), tuple(row.options), row.required)
        for row in rows
    ]


def _same_person(first_name: str, last_name: str, phone: str | None) -> tuple[str, str, str | None]:
    return (first_name.casefold(), last_name.casefold(), phone)
