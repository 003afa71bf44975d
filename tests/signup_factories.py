"""Builders for the sign-up tests: accounts, a campaign with a seat, voters, events and a fake locator."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from dialer.domain.places import Point
from dialer.domain.roles import Role
from dialer.domain.surveys import QuestionKind
from dialer.models import (
    Campaign,
    CampaignOrganiser,
    CampaignSeat,
    Constituency,
    Event,
    SurveyQuestion,
    Voter,
)
from tests.people import add_account

_numbers = itertools.count(1)

#: Postcodes the fake locator knows, with real coordinates (central London, Leeds, Manchester).
PLACES = {
    "SW1A 1AA": Point(51.501009, -0.141588),
    "SW1A 2AA": Point(51.503541, -0.12767),
    "SE1 7PB": Point(51.501, -0.1246),
    "LS1 4AP": Point(53.7997, -1.5492),
    "M1 1AE": Point(53.4808, -2.2426),
    "N1 9GU": Point(51.5347, -0.1246),
}


def locate(postcode: str) -> Point | None:
    return PLACES.get(postcode)


def add(services, *rows):
    with services.uow() as uow:
        for row in rows:
            uow.session.add(row)
        uow.commit()
    return rows[0] if len(rows) == 1 else rows


def user(services, *, role=Role.VOLUNTEER, first_name=None, postcode="N1 9GU"):
    """An account that signs in with tests.people.PASSWORD (tests.people.sign_in_as)."""
    number = next(_numbers)
    return add_account(
        services,
        f"person{number}@example.org",
        role=role,
        first_name=first_name or f"Volunteer{number}",
        postcode=postcode,
    )


def campaign(services, *, organiser_id=None, ons_code="E14001172"):
    number = next(_numbers)
    with services.uow() as uow:
        if uow.session.get(Constituency, ons_code) is None:
            uow.session.add(
                Constituency(
                    ons_code=ons_code, name="Cities of London and Westminster", country="England",
                    boundary_set="2024", lat=51.5, lon=-0.13,
                )
            )  # fmt: skip
        row = Campaign(
            name=f"Campaign {number}", slug=f"campaign-{number}", caller_id="+442079460000",
            created_at=datetime.now(UTC),
        )  # fmt: skip
        uow.session.add(row)
        uow.session.flush()
        assert row.id is not None
        uow.session.add(CampaignSeat(campaign_id=row.id, ons_code=ons_code))
        if organiser_id is not None:
            uow.session.add(CampaignOrganiser(campaign_id=row.id, user_id=organiser_id))
        uow.commit()
        return row.id


def question(services, campaign_id, key="support", kind=QuestionKind.SINGLE_CHOICE, options=("Yes", "No")):
    row = SurveyQuestion(
        campaign_id=campaign_id, key=key, prompt=f"{key.title()}?", kind=kind, options=list(options)
    )
    return add(services, row).id


def voter(services, campaign_id, *, first_name="Ada", postcode="SW1A 2AA", address="1 Road", phone=None):
    number = next(_numbers)
    row = Voter(
        campaign_id=campaign_id,
        first_name=first_name,
        last_name="Voter",
        phone_e164=phone or f"+4420794{60000 + number % 1000:05d}",
        postcode=postcode,
        address=address,
        created_at=datetime.now(UTC),
    )
    return add(services, row).id


def event(
    services,
    campaign_id,
    *,
    capacity=10,
    starts_in=timedelta(days=2),
    postcode="SW1A 1AA",
    ons_code="E14001172",
):
    point = PLACES[postcode]
    starts = services.clock.now() + starts_in
    row = Event(
        campaign_id=campaign_id, ons_code=ons_code, title=f"Door-knocking {next(_numbers)}",
        starts_at=starts, ends_at=starts + timedelta(hours=3), meeting_postcode=postcode,
        lat=point.lat, lon=point.lon, capacity=capacity,
    )  # fmt: skip
    return add(services, row).id
