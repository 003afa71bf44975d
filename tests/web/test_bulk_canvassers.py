"""An organiser ticks volunteers on an event's sign-ups (pledgers marked) and approves them to
canvass in one action: each approval audited, and only places at that event of their own campaign
change, whatever ids are sent; judged by what the database holds afterwards."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from dialer.domain.roles import Role
from dialer.models import AuditEntry, EventSignup, Pledge, PledgeSignup
from dialer.services.compliance.audit import Action
from dialer.services.signups import events
from tests import signup_factories as make
from tests.people import csrf_token, sign_in_as


def approved(services) -> dict[tuple[int, int], int | None]:
    """(event, volunteer) -> who approved them to canvass (None: not approved)."""
    with services.uow() as uow:
        rows = uow.session.exec(select(EventSignup).where(col(EventSignup.user_id).is_not(None))).all()
        return {(row.event_id, row.user_id): row.canvass_approved_by_id for row in rows}


def bulk_audit(services) -> list[tuple[int | None, str, dict[str, object]]]:
    with services.uow() as uow:
        rows = uow.session.exec(
            select(AuditEntry)
            .where(AuditEntry.action == Action.CANVASSER_APPROVED)
            .order_by(col(AuditEntry.id))
        ).all()
        return [(row.actor_id, row.subject_id, row.detail) for row in rows]


@pytest.fixture
def two_events(app, services):
    """Campaign A's event with two pledgers, a volunteer who did not pledge and one waiting; campaign
    B's event with a volunteer of its own."""
    a_organiser = make.user(services, role=Role.ORGANISER)
    b_organiser = make.user(services, role=Role.ORGANISER)
    a = make.campaign(services, organiser_id=a_organiser)
    b = make.campaign(services, organiser_id=b_organiser)
    a_event, b_event = make.event(services, a, capacity=3), make.event(services, b)
    people = {name: make.user(services, first_name=name) for name in ("Ann", "Ben", "Cat", "Dee", "Eve")}
    for name in ("Ann", "Ben", "Cat", "Dee"):  # Dee is fourth for three places: waiting
        events.sign_up(services.uow(), services.clock, a_event, user_id=people[name])
    events.sign_up(services.uow(), services.clock, b_event, user_id=people["Eve"])
    pledge = make.add(services, Pledge(campaign_id=a, slug="polling-day", text="Take polling day off"))
    for name in ("Ann", "Ben"):
        make.add(
            services,
            PledgeSignup(
                pledge_id=pledge.id, user_id=people[name], name=name, created_at=services.clock.now()
            ),
        )
    client = sign_in_as(app.test_client(), services, a_organiser)
    return client, a_organiser, a_event, b_event, people


def test_the_event_page_marks_pledgers_and_offers_a_tick_box_for_each_confirmed_volunteer(two_events):
    client, _, a_event, _, people = two_events
    html = client.get(f"/organiser/events/{a_event}").get_data(as_text=True)
    assert html.count(">pledged</span>") == 2
    for name in ("Ann", "Ben", "Cat"):
        assert f'name="user_id" value="{people[name]}" form="bulk-approve"' in html
    assert f'value="{people["Dee"]}"' not in html  # waiting: no place to canvass from yet


def test_ticked_volunteers_are_approved_at_once_and_each_approval_is_audited(two_events, services):
    client, organiser, a_event, _, people = two_events
    ticked = [people["Ann"], people["Ben"]]
    reply = client.post(
        f"/organiser/events/{a_event}/canvassers", data={"user_id": ticked, "csrf_token": csrf_token(client)}
    )
    assert reply.status_code == 303
    state = approved(services)
    assert state[(a_event, people["Ann"])] == organiser and state[(a_event, people["Ben"])] == organiser
    assert state[(a_event, people["Cat"])] is None
    assert bulk_audit(services) == [
        (organiser, str(people["Ann"]), {"event_id": a_event, "bulk": True}),
        (organiser, str(people["Ben"]), {"event_id": a_event, "bulk": True}),
    ]
    assert "2 approved to canvass." in client.get(f"/organiser/events/{a_event}").get_data(as_text=True)


def test_a_forged_id_of_another_campaigns_volunteer_changes_nothing(two_events, services):
    client, _, a_event, b_event, people = two_events
    forged = {"user_id": [people["Eve"], people["Dee"]], "csrf_token": csrf_token(client)}
    assert client.post(f"/organiser/events/{a_event}/canvassers", data=forged).status_code == 303
    assert client.post(f"/organiser/events/{b_event}/canvassers", data=forged).status_code == 403
    state = approved(services)
    assert state[(b_event, people["Eve"])] is None and state[(a_event, people["Dee"])] is None
    assert all(by is None for by in state.values()) and bulk_audit(services) == []


def test_an_id_that_is_not_a_number_is_refused(two_events, services):
    client, _, a_event, _, _ = two_events
    reply = client.post(
        f"/organiser/events/{a_event}/canvassers",
        data={"user_id": "1 OR 1=1", "csrf_token": csrf_token(client)},
    )
    assert reply.status_code == 400
    assert all(by is None for by in approved(services).values())
