"""Accounts for tests: one of each kind of caller, two campaigns, and signing in as any of them.

    def test_something(world, client_as):
        organiser = client_as("organiser")          # a test client signed in through /sign-in
        reply = organiser.post(url, data={...}, headers=csrf_headers(organiser))

`world` holds a volunteer, an organiser of `world.campaign_id`, an organiser of another campaign
(`world.other_campaign_id`), an admin, a voter on the organiser's campaign and a suppressed number.
The organiser's campaign is taking calls, and around it is one of everything the other pages work
on: the volunteer's calling session and a conversation they just had with the voter, a door-knocking
event on now at which the volunteer has a confirmed place and is approved to canvass (a canvasser), a
carpool to it driven by the volunteer with a seat the organiser asked for, a pledge, and a voter
import awaiting its mapping.
`client_as("anonymous")` is a fresh client that is not signed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from dialer.bootstrap import Services
from dialer.domain.calls import CallStatus
from dialer.domain.campaigns import CampaignStatus, DialingMode
from dialer.domain.dispositions import Disposition
from dialer.domain.roles import Role
from dialer.domain.seats import AudioLeg
from dialer.models import (
    CallAttempt,
    Campaign,
    CampaignOrganiser,
    CampaignSeat,
    Carpool,
    CarpoolSeat,
    Constituency,
    Event,
    EventSignup,
    Outcome,
    Pledge,
    PostcodeDistrict,
    SuppressionEntry,
    User,
    Voter,
)
from dialer.services.calling import sessions
from dialer.services.campaigns import voter_import
from dialer.services.phone_bank import PhoneBank

PASSWORD = "correct horse battery staple"
#: argon2id with the smallest parameters: tests hash and check many passwords.
FAST_PASSWORDS = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
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
    campaign_slug: str = ""
    session_id: int = 0  # the volunteer's calling session
    outcome_id: int = 0  # the volunteer's conversation with the voter
    event_id: int = 0  # on now; the volunteer has a confirmed place
    signup_id: int = 0  # that place
    carpool_id: int = 0  # driven by the volunteer
    carpool_seat_id: int = 0  # asked for by the organiser
    pledge_id: int = 0
    pledge_slug: str = ""
    import_id: int = 0  # awaiting its column mapping


#: The world's seat and postcode district (Bristol Central; BS1's centroid).
SEAT = "E14001126"
HOME = PostcodeDistrict(outcode="BS1", lat=51.4538, lon=-2.5973, pcon_2024_code=SEAT)


def add_account(
    services: Services | PhoneBank,
    email: str,
    *,
    role: Role = Role.VOLUNTEER,
    password: str = PASSWORD,
    first_name: str = "Sam",
    postcode: str = "BS1 4DJ",
    phone: str | None = None,
    phone_verified: bool = True,
) -> int:
    """An account that signs in with `password` (every test builder of accounts comes here); a phone
    given is verified (pressed 1) unless `phone_verified` is False."""
    with services.uow() as uow:
        user = User(
            email=email,
            password_hash=FAST_PASSWORDS.hash(password),
            first_name=first_name,
            postcode=postcode,
            phone_e164=phone,
            phone_verified_at=services.clock.now() if phone and phone_verified else None,
            role=role,
            created_at=services.clock.now(),
        )
        uow.session.add(user)
        uow.commit()
        assert user.id is not None
        return user.id


def add_campaign(
    services: Services,
    name: str,
    *,
    organiser_id: int | None = None,
    status: CampaignStatus = CampaignStatus.DRAFT,
) -> int:
    with services.uow() as uow:
        campaign = Campaign(
            name=name,
            slug=re.sub(r"[^a-z0-9]+", "-", name.lower()),
            caller_id="+442079460000",
            status=status,
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
        services,
        "Bristol Central calls",
        organiser_id=world.accounts["organiser"],
        status=CampaignStatus.ACTIVE,
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
    add_campaign_life(services, world)
    return world


def add_campaign_life(services: Services, world: World) -> None:
    """The calls, event, carpool, pledge and import around the organiser's campaign (see the module doc)."""
    now = services.clock.now()
    volunteer, organiser = world.accounts["volunteer"], world.accounts["organiser"]
    world.session_id = sessions.start_session(
        services.phone_bank, volunteer, world.campaign_id, AudioLeg.BROWSER
    ).session_id
    with services.uow() as uow:
        session = uow.session
        campaign = session.get(Campaign, world.campaign_id)
        assert campaign is not None
        world.campaign_slug = campaign.slug
        if session.get(Constituency, SEAT) is None:  # the other campaign's life shares the seat
            session.add(
                Constituency(
                    ons_code=SEAT, name="Bristol Central", country="England", boundary_set="2024",
                    lat=51.4545, lon=-2.5879,
                )
            )  # fmt: skip
            session.add(PostcodeDistrict.model_validate(HOME.model_dump()))
            session.flush()  # the seat before the rows that point at it
        session.add(CampaignSeat(campaign_id=world.campaign_id, ons_code=SEAT))
        call = CallAttempt(
            campaign_id=world.campaign_id, voter_id=world.voter_id, session_id=world.session_id,
            provider_sid=f"CA{world.campaign_id:032x}", mode=DialingMode.PREVIEW, status=CallStatus.COMPLETED,
            placed_at=now - timedelta(minutes=5), answered_at=now - timedelta(minutes=4),
            connected_at=now - timedelta(minutes=4), ended_at=now - timedelta(minutes=1), duration_s=180,
        )  # fmt: skip
        session.add(call)
        session.flush()
        outcome = Outcome(
            campaign_id=world.campaign_id, voter_id=world.voter_id, call_attempt_id=call.id,
            user_id=volunteer, disposition=Disposition.TALKED, notes="Keen to help", created_at=now,
        )  # fmt: skip
        event = Event(
            campaign_id=world.campaign_id, ons_code=SEAT, title="Knocking on doors in Bristol Central",
            starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=2),
            meeting_postcode="BS1 4DJ", lat=HOME.lat, lon=HOME.lon, capacity=20, created_by_id=organiser,
        )  # fmt: skip
        pledge = Pledge(campaign_id=world.campaign_id, slug="polling-day", text="Take polling day off")
        session.add_all([outcome, event, pledge])
        session.flush()
        assert event.id is not None
        place = EventSignup(
            event_id=event.id, user_id=volunteer, status="confirmed", created_at=now,
            canvass_approved_at=now, canvass_approved_by_id=organiser,
        )  # fmt: skip
        carpool = Carpool(
            event_id=event.id, driver_id=volunteer, pickup_postcode="BS1 4DJ", lat=HOME.lat,
            lon=HOME.lon, seats_offered=3, departs_at=now + timedelta(minutes=10), created_at=now,
        )  # fmt: skip
        session.add_all([place, carpool])
        session.flush()
        assert carpool.id is not None
        seat = CarpoolSeat(carpool_id=carpool.id, rider_id=organiser, rider_accepted=True, created_at=now)
        session.add(seat)
        uow.commit()
        world.outcome_id, world.event_id, world.signup_id = outcome.id or 0, event.id, place.id or 0
        world.carpool_id, world.carpool_seat_id = carpool.id, seat.id or 0
        world.pledge_id, world.pledge_slug = pledge.id or 0, pledge.slug
    world.import_id = voter_import.start_import(
        services.uow(),
        services.clock,
        campaign_id=world.campaign_id,
        user_id=organiser,
        filename="ward.csv",
        data=VOTERS_CSV,
        encoding="utf-8",
    )


def add_other_campaign_life(services: Services, world: World) -> World:
    """The same life around the other campaign, seen from its organiser: a World whose campaign is
    `world.other_campaign_id` (its own volunteer, voter, calls, event, carpool, pledge and import).

    Only the authorization matrix builds it, to try every id of one campaign under the other's URLs.
    """
    volunteer = add_account(services, "volunteer-b@example.org", first_name="Robin")
    with services.uow() as uow:
        campaign = uow.session.get(Campaign, world.other_campaign_id)
        assert campaign is not None
        campaign.status = CampaignStatus.ACTIVE
        uow.session.add(campaign)
        uow.commit()
    mirror = World(
        accounts={**world.accounts, "volunteer": volunteer, "organiser": world.accounts["other_organiser"]},
        emails=dict(world.emails),
        campaign_id=world.other_campaign_id,
        other_campaign_id=world.campaign_id,
        voter_id=add_voter(services, world.other_campaign_id, phone="+447700900456", first_name="Jo"),
        suppression_id=world.suppression_id,
    )
    add_campaign_life(services, mirror)
    return mirror


#: A small, good voter file (drama numbers) for the import pages.
VOTERS_CSV = b"First name,Last name,Phone,Postcode\nAda,Lovelace,07700 900301,BS1 4DJ\n"


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


def sign_up_by_email(
    client: FlaskClient, services: Services, form: dict[str, str], *, next_page: str = ""
) -> None:
    """Sign up as a new volunteer would: the form, then the link e-mailed to the address (read from
    the outbox the workers send from), opened and confirmed in the same browser."""
    from dialer.models import OutgoingMail

    path = "/sign-up" + (f"?next={next_page}" if next_page else "")
    assert client.post(path, data={**form, "csrf_token": csrf_token(client)}).status_code == 303
    with services.uow() as uow:
        (letter,) = uow.session.exec(
            select(OutgoingMail).where(
                OutgoingMail.to_address == form["email"].strip().lower(),
                OutgoingMail.kind == "sign_up_confirmation",
            )
        ).all()
    found = re.search(r"https?://[^/\s]+(/sign-up/confirm/\S+)", letter.text)
    assert found, "the e-mail carries the link that finishes signing up"
    assert client.get(found.group(1)).status_code == 200
    assert client.post(found.group(1), data={"csrf_token": csrf_token(client)}).status_code == 303


def email_of(services: Services, user_id: int) -> str:
    with services.uow() as uow:
        user = uow.session.get(User, user_id)
        assert user is not None, f"no account {user_id}"
        return user.email


def sign_in_as(client: FlaskClient, services: Services, user_id: int) -> FlaskClient:
    """Sign a test client in as this account (made with PASSWORD) through the real sign-in form."""
    sign_in(client, email_of(services, user_id))
    return client


def sign_in_browser(page: Any, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign a Playwright page in through the sign-in form, as a volunteer would."""
    page.goto(base_url + "/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Signed in as")


@pytest.fixture
def client_as(app: Flask, world: World) -> Callable[[str], FlaskClient]:
    """A test client signed in as one of AUDIENCES (signed in through the real sign-in form)."""

    def make(audience: str) -> FlaskClient:
        client = app.test_client()
        if audience != "anonymous":
            sign_in(client, world.emails[audience])
        return client

    return make
