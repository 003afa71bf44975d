"""A demo phone bank: a real marginal seat, a realistic script and survey, fictional voters on drama numbers.

The seat is Cities of London and Westminster (E14001172), won by Labour from the Conservatives in
2024 by 2,708 votes (6.9%) according to the House of Commons Library's results. The voters are
invented and their numbers are Ofcom's 07700 900xxx range, reserved for drama, so nobody real is
ever rung, by the simulator or by mistake. Unlike a real campaign (08:00-21:00 on weekdays,
09:00-21:00 at weekends by default), the demo phone bank is open around the clock, so the demo can
be tried at any hour: its voters are fictional and only the simulator answers them.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime

from sqlmodel import select

from dialer.domain.campaign_settings import CallingSettings
from dialer.domain.campaigns import DialingMode
from dialer.domain.surveys import QuestionKind
from dialer.models import Campaign, Constituency
from dialer.ports import UnitOfWorkFactory
from dialer.services.calling.upkeep import open_phone_bank
from dialer.services.campaigns.campaigns import (
    CampaignSpec,
    QuestionSpec,
    VoterSpec,
    add_voters,
    create_campaign,
)
from dialer.services.phone_bank import PhoneBank

SLUG = "demo-cities-of-london-and-westminster"
#: The seat as the ONS and the Commons Library describe it (centroid from ONS boundaries, 2024).
SEAT = Constituency(
    ons_code="E14001172",
    name="Cities of London and Westminster",
    country="England",
    region="London",
    boundary_set="2024",
    lat=51.511142,
    lon=-0.140439,
    area_km2=19.4,
)
AREAS = ["Pimlico", "Victoria", "Mayfair", "Marylebone", "Soho", "Covent Garden", "St James's", "Barbican"]
POSTCODES = ["SW1V", "SW1P", "W1K", "W1U", "W1D", "WC2E", "SW1A", "EC2Y"]
#: Streets of each area (real streets; the house numbers and the people in them are invented).
STREETS = [
    ["Lupus Street", "Warwick Way", "Belgrave Road", "Cambridge Street", "Denbigh Street"],
    ["Rochester Row", "Vincent Square", "Horseferry Road", "Regency Street"],
    ["Mount Street", "South Audley Street", "Brook Street"],
    ["Marylebone High Street", "Paddington Street", "Crawford Street"],
    ["Greek Street", "Frith Street", "Old Compton Street"],
    ["Floral Street", "Henrietta Street", "Maiden Lane"],
    ["Cleveland Row", "Park Place", "King Street"],
    ["Wood Street", "Fore Street", "Golden Lane"],
]
#: The letters a postcode's last two characters are drawn from (Royal Mail leaves out C I K M O V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Harry", "Imran", "Jess", "Kwame", "Lucy",
    "Mo", "Niamh", "Oliver", "Priya", "Rhys", "Sophie", "Tom", "Uma", "Vikram", "Wendy", "Yusuf", "Zoe",
]  # fmt: skip
SURNAMES = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Khan",
    "Murphy",
    "Patel",
    "Smith",
    "Taylor",
    "Wilson",
]

SCRIPT = """\
## Introduce yourself

Hi, is that **{first name}**? My name's {my name} and I'm a volunteer with the local Labour campaign in
{seat}. Have you got two minutes?

## Ask

1. At the election, which party do you think you'll vote for?
2. On a scale of 1 to 5, how likely are you to vote?
3. Could you help with the campaign, even for an hour?

## If they ask

- *Why me?* You're on the electoral register here; we're calling everyone we can.
- *Stop calling:* say sorry, record **Do not call**: nobody will call again.
"""


def around_the_clock(calling: CallingSettings) -> CallingSettings:
    """The same settings, open every day, all day (fictional voters only: real ones keep UK hours)."""
    return replace(
        calling, weekday_start="00:00", weekday_end="24:00", weekend_start="00:00", weekend_end="24:00"
    )


def seed_demo(bank: PhoneBank, *, voters: int = 300) -> int:
    """The demo campaign, created once and open for calls; returns its id."""
    campaign_id = seed_demo_campaign(bank.uow, now=bank.clock.now(), voters=voters)
    open_phone_bank(bank, campaign_id)
    return campaign_id


def seed_demo_campaign(
    make_uow: UnitOfWorkFactory, *, now: datetime, voters: int = 300, seed: int = 2024
) -> int:
    """Create (once) the demo campaign, in power mode, with `voters` fictional voters; returns its id."""
    with make_uow() as uow:
        existing = uow.session.exec(select(Campaign.id).where(Campaign.slug == SLUG)).first()
        if existing is not None:
            return int(existing)
        if uow.session.get(Constituency, SEAT.ons_code) is None:
            uow.session.add(Constituency.model_validate(SEAT.model_dump()))
            uow.commit()
    campaign_id = create_campaign(
        make_uow(),
        CampaignSpec(
            name="Cities of London and Westminster phone bank",
            slug=SLUG,
            calling=around_the_clock(
                CallingSettings(caller_id="+442079460000", dialing_mode=DialingMode.POWER, max_attempts=3)
            ),
            seats=[SEAT.ons_code],
            script_md=SCRIPT,
            questions=[
                QuestionSpec(
                    "intention",
                    "Voting intention",
                    QuestionKind.SINGLE_CHOICE,
                    [
                        "Labour",
                        "Conservative",
                        "Liberal Democrat",
                        "Green",
                        "Reform UK",
                        "Other",
                        "Won't say",
                    ],
                ),
                QuestionSpec("likely", "How likely to vote (1-5)", QuestionKind.SCALE),
                QuestionSpec(
                    "help",
                    "Would help with",
                    QuestionKind.MULTIPLE_CHOICE,
                    ["Leafleting", "Door-knocking", "Phoning", "Lifts on polling day"],
                ),
                QuestionSpec("postal", "Needs a postal vote", QuestionKind.SINGLE_CHOICE, ["Yes", "No"]),
                QuestionSpec("notes", "Anything else they said", QuestionKind.FREE_TEXT),
            ],
        ),
        now=now,
    )
    rng = random.Random(seed)
    people = []
    for n in range(min(voters, 1000)):
        area = rng.randrange(len(AREAS))
        inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        flat = f"Flat {rng.randint(1, 12)}, " if rng.random() < 0.4 else ""
        people.append(
            VoterSpec(
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(SURNAMES),
                phone=f"+447700900{n:03d}",
                area=AREAS[area],
                postcode=f"{POSTCODES[area]} {inward}",
                address=f"{flat}{rng.randint(1, 140)} {rng.choice(STREETS[area])}",
                ons_code=SEAT.ons_code,
                external_id=f"demo-{n:04d}",
                tps=rng.random() < 0.03,
            )
        )
    add_voters(make_uow(), campaign_id, people, now=now)
    return campaign_id
