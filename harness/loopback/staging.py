"""A fresh database with one phone bank to load: an organiser, N volunteers, and voters to call.

Everyone is fictional. Volunteers' own phones ("call my phone") are numbers in Ofcom's mobile drama
range (07700 900000-900999); voters are in the other drama ranges (17,000 numbers), so the
simulator can be told exactly who answers what. The campaign calls at any hour (a load run must not
depend on the time of day) in power mode, with one survey question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from dialer.adapters import db, schema
from dialer.domain.campaigns import CampaignStatus, DialingMode
from dialer.domain.phones import DRAMA_RANGES
from dialer.domain.roles import Role
from dialer.domain.surveys import QuestionKind
from dialer.models import (
    Campaign,
    CampaignOrganiser,
    CampaignSeat,
    Constituency,
    SurveyQuestion,
    User,
    Voter,
)

PASSWORD = "loopback volunteer passphrase"
ORGANISER_EMAIL = "organiser@loopback.example.org"
SEAT = "E14001126"  # Bristol Central
VOLUNTEER_RANGE = "+447700900"
VOTER_RANGES = tuple(prefix for prefix in DRAMA_RANGES if prefix != VOLUNTEER_RANGE)
MAX_VOLUNTEERS = 1000
MAX_VOTERS = 1000 * len(VOTER_RANGES)
SUPPORT_CHOICES = ("for", "against", "undecided")


@dataclass(frozen=True)
class PhoneBankStage:
    campaign_id: int
    organiser_email: str
    volunteers: list[tuple[str, str]]  # (e-mail, own phone)
    voter_phones: list[str]


def volunteer_email(index: int) -> str:
    return f"volunteer{index:04d}@loopback.example.org"


def voter_phone(index: int) -> str:
    prefix = VOTER_RANGES[index // 1000]
    return f"{prefix}{index % 1000:03d}"


def fresh_schema(database_url: str) -> None:
    """Empty the database (every table, Alembic's too) and migrate it to the current head."""
    engine = db.make_engine(database_url)
    try:
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        schema.upgrade(engine)
    finally:
        engine.dispose()


def stage_phone_bank(database_url: str, *, volunteers: int, voters: int) -> PhoneBankStage:
    """One active power-mode campaign for Bristol Central with its organiser, volunteers and voters."""
    if not 0 < volunteers <= MAX_VOLUNTEERS:
        raise ValueError(f"between 1 and {MAX_VOLUNTEERS} volunteers (their phones are drama numbers)")
    if not 0 < voters <= MAX_VOTERS:
        raise ValueError(f"between 1 and {MAX_VOTERS} voters (their phones are drama numbers)")
    engine = db.make_engine(database_url)
    try:
        return _stage(engine, volunteers, voters)
    finally:
        engine.dispose()


def _stage(engine: Engine, volunteers: int, voters: int) -> PhoneBankStage:
    now = datetime.now(UTC)
    # One hash for every account: signing in still verifies argon2id at the product's parameters.
    password_hash = PasswordHasher().hash(PASSWORD)
    with db.SqlUnitOfWork(engine) as uow:
        session = uow.session
        if session.get(Constituency, SEAT) is None:
            session.add(
                Constituency(
                    ons_code=SEAT, name="Bristol Central", country="England", region="South West",
                    boundary_set="2024", lat=51.4586, lon=-2.6006,
                )
            )  # fmt: skip
        organiser = User(
            email=ORGANISER_EMAIL, password_hash=password_hash, first_name="Olu", role=Role.ORGANISER,
            created_at=now,
        )  # fmt: skip
        campaign = Campaign(
            name="Loopback calls",
            slug=f"loopback-{now:%Y%m%d%H%M%S%f}",
            caller_id="+442079460000",
            status=CampaignStatus.ACTIVE,
            dialing_mode=DialingMode.POWER,
            script_md="Hello, I'm calling from the campaign.",
            information_message="Sorry we missed you. This was the campaign; call 020 7946 0000 to opt out.",
            weekday_start="00:00", weekday_end="24:00", weekend_start="00:00", weekend_end="24:00",
            max_attempts=3,
            ring_timeout_s=20,
            created_at=now,
        )  # fmt: skip
        session.add_all([organiser, campaign])
        session.flush()
        assert campaign.id is not None and organiser.id is not None
        session.add(CampaignOrganiser(campaign_id=campaign.id, user_id=organiser.id))
        session.add(CampaignSeat(campaign_id=campaign.id, ons_code=SEAT))
        session.add(
            SurveyQuestion(
                campaign_id=campaign.id, position=0, key="support", prompt="Will you vote for us?",
                kind=QuestionKind.SINGLE_CHOICE, options=list(SUPPORT_CHOICES),
            )
        )  # fmt: skip
        people = [(volunteer_email(i), f"{VOLUNTEER_RANGE}{i:03d}") for i in range(volunteers)]
        session.add_all(
            User(email=email, password_hash=password_hash, first_name=f"Vol{i}", phone_e164=phone,
                 phone_verified_at=now, postcode="BS1 4DJ", created_at=now)
            for i, (email, phone) in enumerate(people)
        )  # fmt: skip
        phones = [voter_phone(i) for i in range(voters)]
        session.add_all(
            Voter(campaign_id=campaign.id, first_name=f"Voter{i}", phone_e164=phone, postcode="BS1 4DJ",
                  area="Bristol", ons_code=SEAT, created_at=now)
            for i, phone in enumerate(phones)
        )  # fmt: skip
        uow.commit()
        return PhoneBankStage(campaign.id, ORGANISER_EMAIL, people, phones)
