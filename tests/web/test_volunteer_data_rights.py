"""A volunteer's rights over their own data, over HTTP: they download everything held about them,
then erase their account, and their name is in no page, export, table or Redis key afterwards."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from dialer.models import AuditEntry, CampaignOrganiser, Carpool, EventSignup, User
from dialer.services.calling import sessions
from dialer.services.compliance.audit import SYSTEM
from dialer.services.data_protection.volunteer_data import ERASED_NAME
from dialer.services.signups import events, pledges
from tests import signup_factories as make
from tests.people import PASSWORD, SEAT, World, csrf_token, sign_in

NAME = "Zephyrine"
EMAIL = "volunteer@example.org"


def name_the_volunteer_and_let_them_sign_up(services, world: World) -> int:
    """The world's volunteer, named NAME, with a place, a pledge and a lift that carry their name."""
    volunteer = world.accounts["volunteer"]
    with services.uow() as uow:
        user = uow.session.get(User, volunteer)
        user.first_name, user.phone_e164 = NAME, "+447700900555"
        uow.session.add(user)
        carpool = uow.session.get(Carpool, world.carpool_id)
        carpool.notes = f"Ask for {NAME} at the blue car"
        uow.session.add(carpool)
        uow.commit()
    later = make.event(services, world.campaign_id, starts_in=timedelta(days=3), ons_code=SEAT)
    events.sign_up(services.uow(), services.clock, later, user_id=volunteer)
    pledges.make_pledge(services.uow(), services.clock, world.pledge_id, channel="web", user_id=volunteer)
    other = pledges.create_pledge(
        services.uow(), world.campaign_id, slug="lift", text="Give a lift", clock=services.clock, actor=SYSTEM
    )
    pledges.make_pledge(  # on the public page, signed out, with their account's address
        services.uow(), services.clock, other, channel="web", name=f"{NAME} Smith", email=EMAIL
    )
    sessions.end_session(services.phone_bank, volunteer, world.session_id)
    return int(later)


def everything_said_by_the_product(client, services, world: World, later_event: int) -> dict[str, str]:
    """Every page, JSON and export an organiser or admin reads about the campaign and its people."""
    cid = world.campaign_id
    sign_in(client, world.emails["admin"])
    paths = [
        f"/organiser/campaigns/{cid}/signups",
        f"/organiser/events/{world.event_id}",
        f"/organiser/events/{later_event}",
        f"/organiser/campaigns/{cid}/dashboard",
        f"/organiser/campaigns/{cid}/dashboard.json",
        f"/organiser/campaigns/{cid}/export/outcomes.csv",
        f"/organiser/campaigns/{cid}/export/signups.csv",
        f"/organiser/voters/{world.voter_id}",
        f"/events/{world.event_id}",
        "/carpools",
        "/admin/audit",
        "/admin/people",
    ]
    said = {}
    for path in paths:
        reply = client.get(path)
        assert reply.status_code == 200, path
        said[path] = reply.get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    return said


def every_table_row(services) -> list[tuple[str, str]]:
    with services.engine.connect() as connection:
        return [
            (table.name, repr(tuple(row)))
            for table in SQLModel.metadata.sorted_tables
            for row in connection.execute(sa.select(table))
        ]


def everything_in_redis(redis) -> list[str]:
    readers = {
        "string": redis.get,
        "hash": redis.hgetall,
        "set": redis.smembers,
        "zset": lambda key: redis.zrange(key, 0, -1),
        "list": lambda key: redis.lrange(key, 0, -1),
        "stream": redis.xrange,
    }
    return [f"{key!r} {readers[redis.type(key).decode()](key)!r}" for key in redis.scan_iter()]


def test_a_volunteer_downloads_their_data_then_erases_it_and_their_name_is_gone_everywhere(
    app, client, services, world
):
    volunteer = world.accounts["volunteer"]
    later_event = name_the_volunteer_and_let_them_sign_up(services, world)
    before = everything_said_by_the_product(app.test_client(), services, world, later_event)
    assert NAME in before[f"/organiser/campaigns/{world.campaign_id}/dashboard.json"], "on the leaderboard"
    assert NAME in before[f"/organiser/campaigns/{world.campaign_id}/export/signups.csv"]
    assert NAME in before[f"/organiser/events/{later_event}"]
    assert any(NAME in row for _, row in every_table_row(services))

    sign_in(client, EMAIL)
    assert NAME in client.get("/account").get_data(as_text=True)
    download = client.post("/account/export", data={"csrf_token": csrf_token(client)})
    assert download.status_code == 200 and download.mimetype == "application/json"
    held = json.loads(download.get_data(as_text=True))
    assert (held["account"]["first_name"], held["account"]["email"]) == (NAME, EMAIL)
    assert "password_hash" not in held["account"]
    assert [o["outcome_id"] for o in held["outcomes_recorded"]] == [world.outcome_id]
    assert len(held["event_places"]) == 2 and len(held["pledges"]) == 1
    assert [c["id"] for c in held["lifts_offered"]] == [world.carpool_id]
    assert {e["action"] for e in held["audit_log"]} >= {"sign_in"}

    refused = client.post("/account/erase", data={"csrf_token": csrf_token(client)})
    assert refused.status_code == 400 and "Tick the box to confirm." in refused.get_data(as_text=True)
    with services.uow() as uow:
        assert uow.session.get(User, volunteer).first_name == NAME
    erased = client.post("/account/erase", data={"csrf_token": csrf_token(client), "confirm": "y"})
    assert erased.status_code == 303
    assert client.get("/account").status_code == 302, "signed out"
    again = client.post(
        "/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert again.status_code != 303, "the account can never sign in again"

    after = everything_said_by_the_product(app.test_client(), services, world, later_event)
    for path, text in after.items():
        assert NAME not in text, f"{path} still names the volunteer"
        assert EMAIL not in text, f"{path} still shows their e-mail address"
    assert ERASED_NAME in after[f"/organiser/campaigns/{world.campaign_id}/dashboard.json"]
    assert not [table for table, row in every_table_row(services) if NAME in row or EMAIL in row]
    assert not [item for item in everything_in_redis(services.redis) if NAME in item or EMAIL in item]

    with services.uow() as uow:
        user = uow.session.get(User, volunteer)
        assert (user.first_name, user.postcode, user.phone_e164, user.is_active) == (
            ERASED_NAME,
            "",
            None,
            False,
        )
        [erasure] = uow.session.exec(select(AuditEntry).where(AuditEntry.action == "account_erased")).all()
        later_place = uow.session.exec(
            select(EventSignup).where(EventSignup.event_id == later_event, EventSignup.user_id == volunteer)
        ).one()
        assert (
            uow.session.exec(select(CampaignOrganiser).where(CampaignOrganiser.user_id == volunteer)).all()
            == []
        )
    assert (erasure.actor_id, erasure.subject_type, erasure.subject_id) == (volunteer, "user", str(volunteer))
    assert later_place.status == "cancelled", "a place still to come is given up"
