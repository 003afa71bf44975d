"""Doorstep canvassing: only volunteers an organiser approved canvass, only their event's walk list,
only around its time; judged by what the database holds afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from dialer.errors import NotFound
from dialer.models import AuditEntry, EventSignup, Outcome, Pledge, SuppressionEntry, Voter
from dialer.services.signups import doorstep, events
from dialer.services.signups.doorstep import Visit
from tests import signup_factories as make
from tests.people import add_voter, csrf_headers, sign_in_as


def visits(services) -> list[Outcome]:
    with services.uow() as uow:
        return list(uow.session.exec(select(Outcome).where(Outcome.channel == "doorstep")))


def suppressed(services) -> list[str | None]:
    with services.uow() as uow:
        return list(uow.session.exec(select(SuppressionEntry.phone_e164)))


def do_not_call(services, voter_id: int) -> bool:
    with services.uow() as uow:
        voter = uow.session.get(Voter, voter_id)
        assert voter is not None
        return bool(voter.do_not_call)


def record(client, world, voter_id: int, disposition: str = "do_not_call", **extra):
    body = {"key": "visit-test-0001", "voter_id": voter_id, "disposition": disposition, **extra}
    return client.post(f"/doorstep/events/{world.event_id}/visits", json=body, headers=csrf_headers(client))


@pytest.fixture
def newcomer(app, services, world):
    """A freshly signed-up volunteer who took a place at the world's event (not approved to canvass)."""
    client = sign_in_as(app.test_client(), services, make.user(services))
    assert client.post(f"/events/{world.event_id}/places", headers=csrf_headers(client)).status_code == 303
    return client


def test_a_place_at_the_event_without_an_organisers_approval_opens_no_walk_list(newcomer, world):
    assert newcomer.get(f"/doorstep/events/{world.event_id}").status_code == 403


def test_a_volunteer_not_approved_to_canvass_cannot_opt_a_voter_out_from_the_door(newcomer, services, world):
    reply = record(newcomer, world, world.voter_id, "do_not_call")
    assert reply.status_code == 403
    assert visits(services) == [] and suppressed(services) == ["+447700900999"]  # the world's entry only
    assert not do_not_call(services, world.voter_id)


def test_the_service_refuses_a_visit_from_someone_not_approved_even_past_the_route(services, world):
    stranger = make.user(services)
    events.sign_up(services.uow(), services.clock, world.event_id, user_id=stranger)
    with pytest.raises(NotFound):
        doorstep.record_visit(
            services.uow(), services.clock, Visit("visit-0002", world.event_id, world.voter_id, "talked"),
            user_id=stranger,
        )  # fmt: skip
    assert visits(services) == []


def test_a_canvasser_cannot_record_a_visit_to_a_voter_of_the_campaign_off_the_walk_list(
    client_as, services, world
):
    elsewhere = add_voter(services, world.campaign_id, phone="+447700900777", postcode="M1 1AE")
    reply = record(client_as("volunteer"), world, elsewhere, "do_not_call")
    assert reply.status_code == 404
    assert visits(services) == [] and "+447700900777" not in suppressed(services)
    assert not do_not_call(services, elsewhere)


def test_a_canvasser_cannot_record_a_visit_to_another_campaigns_voter(client_as, services, world):
    theirs = add_voter(services, world.other_campaign_id, phone="+447700900778")
    reply = record(client_as("volunteer"), world, theirs, "talked", answers={"intention": "Green"})
    assert reply.status_code == 404
    assert visits(services) == []


def test_a_visit_signing_the_voter_up_to_another_campaigns_pledge_is_refused_whole(
    client_as, services, world
):
    with services.uow() as uow:
        pledge = Pledge(campaign_id=world.other_campaign_id, slug="theirs", text="Theirs")
        uow.session.add(pledge)
        uow.commit()
        assert pledge.id is not None
        theirs = pledge.id
    reply = record(client_as("volunteer"), world, world.voter_id, "talked", pledge_ids=[theirs])
    assert reply.status_code == 404
    assert visits(services) == []


def test_a_canvasser_records_visits_on_their_walk_list_until_a_day_after_the_event_then_nothing(
    client_as, services, world
):
    canvasser = client_as("volunteer")
    assert record(canvasser, world, world.voter_id, "no_answer").status_code == 201
    services.clock.advance(timedelta(hours=2, minutes=1).total_seconds())  # the event is over
    assert canvasser.get(f"/doorstep/events/{world.event_id}").status_code == 403
    services.clock.advance(timedelta(hours=24).total_seconds())  # and so is the day for late visits
    canvasser = client_as("volunteer")  # signed in again: the earlier session has expired
    late = {"key": "visit-late-0001", "voter_id": world.voter_id, "disposition": "do_not_call"}
    reply = canvasser.post(
        f"/doorstep/events/{world.event_id}/visits", json=late, headers=csrf_headers(canvasser)
    )
    assert reply.status_code == 403
    assert len(visits(services)) == 1 and not do_not_call(services, world.voter_id)


def test_the_walk_list_shows_a_first_name_and_initial_never_the_surname_or_number(client_as, world):
    page = client_as("volunteer").get(f"/doorstep/events/{world.event_id}").get_data(as_text=True)
    assert "Alex Q." in page and "1 Marsh Street" in page
    assert "Quinlan" not in page and "7700" not in page


def test_an_organiser_approves_and_withdraws_a_canvasser_and_each_is_audited(
    app, client_as, newcomer, services, world
):
    organiser = client_as("organiser")
    page = organiser.get(f"/organiser/events/{world.event_id}").get_data(as_text=True)
    assert "Approve to canvass" in page
    with services.uow() as uow:
        place = uow.session.exec(
            select(EventSignup).where(
                EventSignup.event_id == world.event_id,
                EventSignup.canvass_approved_at.is_(None),  # type: ignore[union-attr]
            )
        ).one()
        newcomer_id = place.user_id
    base = f"/organiser/events/{world.event_id}/canvassers/{newcomer_id}"
    assert organiser.post(f"{base}/approve", headers=csrf_headers(organiser)).status_code == 303
    assert newcomer.get(f"/doorstep/events/{world.event_id}").status_code == 200
    assert organiser.post(f"{base}/withdraw", headers=csrf_headers(organiser)).status_code == 303
    assert newcomer.get(f"/doorstep/events/{world.event_id}").status_code == 403
    with services.uow() as uow:
        audited = uow.session.exec(
            select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.subject_id)
            .where(AuditEntry.action.in_(["canvasser_approved", "canvasser_withdrawn"]))  # type: ignore[attr-defined]
            .order_by(col(AuditEntry.id))
        ).all()
    who = world.accounts["organiser"]
    assert audited == [
        ("canvasser_approved", who, str(newcomer_id)),
        ("canvasser_withdrawn", who, str(newcomer_id)),
    ]


def test_an_organiser_cannot_approve_someone_without_a_place_at_the_event(client_as, services, world):
    organiser = client_as("organiser")
    nobody = make.user(services)
    url = f"/organiser/events/{world.event_id}/canvassers/{nobody}/approve"
    assert organiser.post(url, headers=csrf_headers(organiser)).status_code == 404
    with services.uow() as uow:
        assert uow.session.exec(select(EventSignup).where(EventSignup.user_id == nobody)).all() == []
