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

from dialer.domain import phones
from dialer.domain.campaign_settings import CallingSettings, default_information_message, validated
from dialer.domain.campaigns import CampaignStatus
from dialer.domain.surveys import Question, QuestionKind, validated_options
from dialer.errors import InvalidInput, NotFound
from dialer.models import Campaign, CampaignSeat, Constituency, SurveyQuestion, Voter
from dialer.ports import UnitOfWork


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
    area: str = ""
    ons_code: str | None = None
    external_id: str = ""
    tps: bool = False


@dataclass
class VoterImportResult:
    added: int = 0
    errors: list[str] = field(default_factory=list)


def create_campaign(uow: UnitOfWork, spec: CampaignSpec, *, now: datetime) -> int:
    """Validate and store a campaign (as a draft); returns its id. Bad input raises InvalidInput."""
    name = spec.name.strip()
    if not name:
        raise InvalidInput("a campaign needs a name")
    calling = validated(spec.calling)
    slug = spec.slug or _slug(name)
    questions = _questions(spec.questions)
    with uow:
        session = uow.session
        if session.exec(select(Campaign.id).where(Campaign.slug == slug)).first() is not None:
            raise InvalidInput(f"a campaign called {slug!r} already exists")
        for code in spec.seats:
            if session.get(Constituency, code) is None:
                raise InvalidInput(f"{code!r} is not a constituency we know")
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
            weekday_start=calling.weekday_start,
            weekday_end=calling.weekday_end,
            weekend_start=calling.weekend_start,
            weekend_end=calling.weekend_end,
            retry_overrides=dict(calling.retry_overrides),
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
        uow.commit()
        return campaign.id


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
        known = set(uow.session.exec(select(Voter.phone_e164).where(Voter.campaign_id == campaign_id)).all())
        for row, spec in enumerate(voters, start=1):
            try:
                phone = phones.normalise_phone(spec.phone)
            except InvalidInput as exc:
                result.errors.append(f"row {row}: {exc}")
                continue
            if not spec.first_name.strip():
                result.errors.append(f"row {row}: a first name is needed")
                continue
            if phone in known:
                result.errors.append(f"row {row}: {spec.first_name} has the same number as an earlier voter")
                continue
            known.add(phone)
            uow.session.add(
                Voter(
                    campaign_id=campaign_id,
                    external_id=spec.external_id,
                    first_name=spec.first_name.strip(),
                    last_name=spec.last_name.strip(),
                    phone_e164=phone,
                    postcode=spec.postcode.strip().upper(),
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
            raise InvalidInput(f"question key {spec.key!r} must be lower-case letters, digits and _")
        if key in keys:
            raise InvalidInput(f"two questions share the key {key!r}")
        keys.add(key)
        if not spec.prompt.strip():
            raise InvalidInput(f"question {key!r} needs a prompt")
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
