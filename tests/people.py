"""Accounts for tests: one of each kind of caller, two campaigns, and signing in as any of them.

    def test_something(world, client_as):
        organiser = client_as("organiser")          # a test client signed in through /sign-in
        reply = organiser.post(url, data={...}, headers=csrf_headers(organiser))

`world` holds a volunteer, an organiser of `world.campaign_id`, an organiser of another campaign
(`world.other_campaign_id`), an admin, a voter on the organiser's campaign and a suppressed number.
`client_as("anonymous")` is a fresh client that is not signed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dialer.bootstrap import Services
from dialer.domain.roles import Role
from dialer.models import Campaign, CampaignOrganiser, SuppressionEntry, User, Voter

PASSWORD = "correct horse battery staple"
#: The five kinds of caller the authorization matrix tries every endpoint as.
AUDIENCES = ("anonymous", "volunteer", "other_organiser", "organiser", "admin")

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class World:
    accounts: dict[str, int] = field(default_factory=dict)  # audience -> user id
    emails: dict[str, str] = field(default_factory=dict)
    campaign_id: int = 0
    other_campaign_id: int = 0
    voter_id: int = 0
    suppression_id: int = 0


def add_account(
    services: Services,
    email: str,
    *,
    role: Role = Role.VOLUNTEER,
    password: str = PASSWORD,
    first_name: str = "Sam",
) -> int:
    with services.uow() as uow:
        user = User(
            email=email,
            password_hash=services.passwords.hash(password),
            first_name=first_name,
            postcode="BS1 4DJ",
            role=role,
            created_at=services.clock.now(),
        )
        uow.session.add(user)
        uow.commit()
        assert user.id is not None
        return user.id


def add_campaign(services: Services, name: str, *, organiser_id: int | None = None) -> int:
    with services.uow() as uow:
        campaign = Campaign(
            name=name,
            slug=re.sub(r"[^a-z0-9]+", "-", name.lower()),
            caller_id="+442079460000",
            created_at=services.clock.now(),
        )
        uow.session.add(campaign)
        uow.session.flush()
        assert campaign.id is not None
        if organiser_id is not None:
            uow.session.add(CampaignOrganiser(campaign_id=campaign.id, user_id=organiser_id))
        uow.commit()
        return campaign.id


def add_voter(services: Services, campaign_id: int, *, phone: str = "+447700900123", **fields: object) -> int:
    with services.uow() as uow:
        voter = Voter(
            campaign_id=campaign_id,
            first_name=str(fields.pop("first_name", "Alex")),
            last_name=str(fields.pop("last_name", "Quinlan")),
            phone_e164=phone,
            postcode=str(fields.pop("postcode", "BS1 4DJ")),
            address=str(fields.pop("address", "1 Marsh Street")),
            created_at=services.clock.now(),
            **fields,  # type: ignore[arg-type]
        )
        uow.session.add(voter)
        uow.commit()
        assert voter.id is not None
        return voter.id


def build_world(services: Services) -> World:
    world = World()
    for audience, role in (
        ("volunteer", Role.VOLUNTEER),
        ("organiser", Role.ORGANISER),
        ("other_organiser", Role.ORGANISER),
        ("admin", Role.ADMIN),
    ):
        email = f"{audience.replace('_', '-')}@example.org"
        world.emails[audience] = email
        world.accounts[audience] = add_account(services, email, role=role, first_name=audience.title())
    world.campaign_id = add_campaign(
        services, "Bristol Central calls", organiser_id=world.accounts["organiser"]
    )
    world.other_campaign_id = add_campaign(
        services, "Stroud calls", organiser_id=world.accounts["other_organiser"]
    )
    world.voter_id = add_voter(services, world.campaign_id)
    with services.uow() as uow:
        entry = SuppressionEntry(
            phone_e164="+447700900999", reason="opt_out", created_at=services.clock.now()
        )
        uow.session.add(entry)
        uow.commit()
        assert entry.id is not None
        world.suppression_id = entry.id
    return world


@pytest.fixture
def world(services: Services) -> World:
    return build_world(services)


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of this client's session, read from the meta tag every page carries."""
    page = client.get("/sign-in")
    match = _CSRF_META.search(page.get_data(as_text=True))
    assert match, "base.html should carry the CSRF token in a meta tag"
    return match.group(1)


def csrf_headers(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client)}


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    reply = client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
    assert reply.status_code == 303, f"signing in as {email} failed ({reply.status_code})"


@pytest.fixture
def client_as(app: Flask, world: World) -> Callable[[str], FlaskClient]:
    """A test client signed in as one of AUDIENCES (signed in through the real sign-in form)."""

    def make(audience: str) -> FlaskClient:
        client = app.test_client()
        if audience != "anonymous":
            sign_in(client, world.emails[audience])
        return client

    return make
