"""Builders for phone-bank tests: a campaign with voters on Ofcom drama numbers, volunteers, ready seats."""

from __future__ import annotations

import itertools

from dialer.domain.campaign_settings import CallingSettings
from dialer.domain.campaigns import DialingMode
from dialer.domain.seats import AudioLeg
from dialer.domain.surveys import QuestionKind
from dialer.models import Constituency, Voter
from dialer.services.calling import sessions
from dialer.services.calling.upkeep import open_phone_bank
from dialer.services.campaigns.campaigns import (
    CampaignSpec,
    QuestionSpec,
    VoterSpec,
    add_voters,
    create_campaign,
)
from dialer.services.demo.demo import around_the_clock as open_all_day
from dialer.services.phone_bank import PhoneBank, softphone_identity
from tests.people import add_account

SEAT = "E14001172"


def drama_number(n: int) -> str:
    """An Ofcom drama number (07700 900000-900999), reserved for fiction."""
    return f"+447700900{n:03d}"


def ensure_constituency(bank: PhoneBank, code: str = SEAT) -> None:
    with bank.uow() as uow:
        if uow.session.get(Constituency, code) is None:
            uow.session.add(
                Constituency(
                    ons_code=code,
                    name="Cities of London and Westminster",
                    country="England",
                    region="London",
                    boundary_set="2024",
                    lat=51.511142,
                    lon=-0.140439,
                )
            )
            uow.commit()


def make_campaign(
    bank: PhoneBank,
    *,
    name: str = "Westminster phone bank",
    mode: DialingMode = DialingMode.POWER,
    voters: int = 0,
    first_number: int = 0,
    max_attempts: int = 3,
    retry_overrides: dict[str, object] | None = None,
    show_surname: bool = False,
    detect_machines: bool = False,
    open_now: bool = True,
    around_the_clock: bool = False,
) -> int:
    """A campaign for the seat with `voters` voters (Voter0, Voter1... on drama numbers from
    `first_number`); UK calling hours unless `around_the_clock` (for runs on the wall clock)."""
    ensure_constituency(bank)
    calling = CallingSettings(
        caller_id="020 7946 0000",
        dialing_mode=mode,
        max_attempts=max_attempts,
        amd_enabled=detect_machines,
        retry_overrides=retry_overrides or {},
    )
    campaign_id = create_campaign(
        bank.uow(),
        CampaignSpec(
            name=name,
            calling=open_all_day(calling) if around_the_clock else calling,
            seats=[SEAT],
            script_md="# Hello\n\nAsk about **the election**. <script>alert(1)</script>",
            questions=[
                QuestionSpec(
                    "intention", "Who will you vote for?", QuestionKind.SINGLE_CHOICE, ["Lab", "Con", "LD"]
                ),
                QuestionSpec("support", "Support 1-5", QuestionKind.SCALE),
                QuestionSpec("help", "Would you help?", QuestionKind.MULTIPLE_CHOICE, ["Leaflets", "Doors"]),
                QuestionSpec("notes", "Anything else?", QuestionKind.FREE_TEXT),
            ],
            show_surname=show_surname,
        ),
        now=bank.clock.now(),
    )
    if voters:
        add_voters(
            bank.uow(),
            campaign_id,
            [
                VoterSpec(
                    f"Voter{n}", drama_number(first_number + n), last_name=f"Surname{n}", area="St James's"
                )
                for n in range(voters)
            ],
            now=bank.clock.now(),
        )
    if open_now:
        open_phone_bank(bank, campaign_id)
    return campaign_id


_accounts = itertools.count(1)


def make_volunteer(bank: PhoneBank, name: str = "Sam", phone: str | None = None) -> int:
    """A volunteer who signs in with tests.people.PASSWORD (tests.people.sign_in_as)."""
    return add_account(bank, f"{name.lower()}-{next(_accounts)}@example.org", first_name=name, phone=phone)


def ready_seat(bank: PhoneBank, user_id: int, campaign_id: int, leg: str | None = None) -> int:
    """A browser seat whose softphone has joined: ready for calls."""
    started = sessions.start_session(bank, user_id, campaign_id, AudioLeg.BROWSER)
    sessions.softphone_joined(
        bank,
        started.session_id,
        f"client:{softphone_identity(user_id)}",
        leg or f"CA{'e' * 16}{started.session_id:016x}",
    )
    return started.session_id


def voter(bank: PhoneBank, voter_id: int) -> Voter:
    with bank.uow() as uow:
        found = uow.session.get(Voter, voter_id)
        assert found is not None
        return found
