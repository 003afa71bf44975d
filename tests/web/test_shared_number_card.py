"""A shared number on the calling page: the card asks for the right person, lists the others at the
number, and the volunteer records what came of each one they spoke to or asked for."""

from dataclasses import dataclass

import pytest
from sqlmodel import col, select

from dialer.domain import figures
from dialer.models import Outcome, SurveyAnswer, Voter
from dialer.services.calling import dashboard, sessions
from dialer.services.calling.upkeep import open_phone_bank
from dialer.services.campaigns.campaigns import VoterSpec, add_voters
from tests.integration.test_power_dialing import answer, only_call, status
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer
from tests.web.test_calling_page import assert_no_phone_number, phone_number_forms, signed_in

pytestmark = pytest.mark.integration

SHARED = drama_number(500)


@pytest.fixture
def app(dialer_services):
    from web import create_app

    app = create_app(services=dialer_services)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    last_name: str

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


def household_on_a_call(app, bank, clock, *, show_surname=True):
    """Alice Smith, Eve Brown and Bob Brown on one number; a volunteer's call to it answered.
    Returns the client, the seat, the call, who it was placed for and the others (in list order):
    whichever of them the queue gives first."""
    campaign = make_campaign(bank, show_surname=show_surname, open_now=False)
    people = [
        VoterSpec("Alice", SHARED, "Smith"),
        VoterSpec("Eve", SHARED, "Brown"),
        VoterSpec("Bob", SHARED, "Brown"),
    ]
    assert add_voters(bank.uow(), campaign, people, now=clock.now()).added == 3
    open_phone_bank(bank, campaign)
    volunteer = make_volunteer(bank)
    client = signed_in(app, bank, volunteer)
    session_id = client.post(f"/call/{campaign}/session", json={}).get_json()["session"]
    sessions.softphone_joined(bank, session_id, f"client:volunteer-{volunteer}", "CAleg")
    clock.advance(1)
    call = only_call(bank, session_id)
    answer(bank, call)
    with bank.uow() as uow:
        listed = [
            Person(v.id, v.first_name, v.last_name)
            for v in uow.session.exec(
                select(Voter).where(Voter.campaign_id == campaign).order_by(col(Voter.id))
            ).all()
        ]
    [called] = [person for person in listed if person.id == call.voter_id]
    return client, session_id, call, called, [person for person in listed if person is not called]


def test_the_calling_card_asks_for_the_right_person_and_lists_the_others_at_the_number(app, bank, clock):
    client, session_id, call, called, others = household_on_a_call(app, bank, clock)
    reply = client.get(f"/call/session/{session_id}")
    card = reply.get_json()["voter"]

    assert card["voter_id"] == called.id
    assert card["ask_for"] == called.full_name
    assert card["household"] == [
        {"voter_id": other.id, "first_name": other.first_name, "last_name": other.last_name}
        for other in others
    ]
    assert_no_phone_number(reply.get_data(as_text=True), phone_number_forms(bank))
    page = client.get(f"/call/{call.campaign_id}").get_data(as_text=True)
    assert 'id="voter-ask"' in page and 'id="voter-household-list"' in page


def test_the_card_names_only_first_names_when_the_campaign_hides_surnames(app, bank, clock):
    client, session_id, _, called, others = household_on_a_call(app, bank, clock, show_surname=False)
    card = client.get(f"/call/session/{session_id}").get_json()["voter"]
    assert card["ask_for"] == called.first_name
    assert [(p["first_name"], p["last_name"]) for p in card["household"]] == [
        (other.first_name, None) for other in others
    ]


def test_a_card_for_a_number_nobody_else_is_on_asks_for_no_one_in_particular(app, bank, clock):
    campaign = make_campaign(bank, voters=1)
    volunteer = make_volunteer(bank)
    client = signed_in(app, bank, volunteer)
    session_id = client.post(f"/call/{campaign}/session", json={}).get_json()["session"]
    sessions.softphone_joined(bank, session_id, f"client:volunteer-{volunteer}", "CAleg")
    clock.advance(1)
    card = client.get(f"/call/session/{session_id}").get_json()["voter"]
    assert (card["ask_for"], card["household"]) == (None, [])


def test_the_volunteer_records_an_outcome_for_each_person_they_spoke_to_or_asked_for(app, bank, clock):
    client, session_id, call, called, (asked_for, not_asked) = household_on_a_call(app, bank, clock)
    status(bank, call.id, call.provider_sid, "completed", 4, duration=60)
    reply = client.post(
        f"/call/session/{session_id}/outcome",
        json={
            "call": call.id,
            "disposition": "talked",
            "answers": {"intention": "Lab"},
            "others": {str(asked_for.id): "no_answer", str(not_asked.id): ""},
        },
    )
    assert reply.status_code == 200, reply.get_json()
    with bank.uow() as uow:
        outcomes = uow.session.exec(select(Outcome).order_by(col(Outcome.id))).all()
        voters = {v.id: v for v in uow.session.exec(select(Voter)).all()}
    assert [(o.voter_id, o.disposition.value, o.call_attempt_id) for o in outcomes] == [
        (called.id, "talked", call.id),
        (asked_for.id, "no_answer", None),
    ]
    assert all(o.user_id is not None for o in outcomes)
    assert voters[called.id].done and not voters[asked_for.id].done and not voters[not_asked.id].done
    assert voters[asked_for.id].next_call_at is not None, "asked for and out: called again later"
    assert voters[not_asked.id].next_call_at is None, "not asked about: waits as before"
    with bank.uow() as uow:
        recounted = dashboard.recount(uow.session, call.campaign_id)
    assert bank.tally.read(call.campaign_id).figures == recounted, "the dashboard counts both outcomes"
    assert recounted[figures.key("all", "disp:no_answer")] == 1


def test_an_outcome_for_someone_not_at_the_number_is_refused_and_nothing_is_recorded(app, bank, clock):
    client, session_id, call, _, (housemate, _) = household_on_a_call(app, bank, clock)
    stranger = make_campaign(bank, name="Elsewhere", voters=1, first_number=600, open_now=False)
    with bank.uow() as uow:
        other = uow.session.exec(select(Voter.id).where(Voter.campaign_id == stranger)).one()
    reply = client.post(
        f"/call/session/{session_id}/outcome",
        json={"call": call.id, "disposition": "talked", "others": {str(other): "do_not_call"}},
    )
    assert reply.status_code == 400
    for malformed in ([1], {"Eve": "talked"}, {str(housemate.id): "abandoned"}):
        sent = {"call": call.id, "disposition": "talked", "others": malformed}
        assert client.post(f"/call/session/{session_id}/outcome", json=sent).status_code == 400
    with bank.uow() as uow:
        assert uow.session.exec(select(Outcome)).all() == []
        assert not uow.session.get(Voter, other).do_not_call


def test_when_the_person_asked_for_is_out_the_survey_is_kept_for_the_one_the_volunteer_talked_to(
    app, bank, clock
):
    client, session_id, call, called, (came_to_phone, _) = household_on_a_call(app, bank, clock)
    reply = client.post(
        f"/call/session/{session_id}/outcome",
        json={
            "call": call.id,
            "disposition": "no_answer",  # the person asked for is out...
            "answers": {"intention": "LD"},
            "notes": "asked about postal votes",
            "others": {str(came_to_phone.id): "talked"},  # ... and a housemate came to the phone
        },
    )
    assert reply.status_code == 200, reply.get_json()
    with bank.uow() as uow:
        outcomes = uow.session.exec(select(Outcome).order_by(col(Outcome.id))).all()
        answered = uow.session.exec(select(SurveyAnswer.outcome_id, SurveyAnswer.value)).all()
    asked, talked = outcomes
    assert (asked.voter_id, asked.disposition.value, asked.notes) == (called.id, "no_answer", "")
    assert (talked.voter_id, talked.disposition.value, talked.notes) == (
        came_to_phone.id,
        "talked",
        "asked about postal votes",
    )
    assert answered == [(talked.id, "LD")]
