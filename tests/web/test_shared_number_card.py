"""A shared number on the calling page: the card asks for the right person, lists the others at the
number, and the volunteer records what came of each one they spoke to or asked for."""

import pytest
from sqlmodel import col, select

from dialer.domain import figures
from dialer.models import Outcome, SurveyAnswer, Voter
from dialer.services import dashboard, sessions
from dialer.services.campaigns import VoterSpec, add_voters
from dialer.services.upkeep import open_phone_bank
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


def household_on_a_call(app, bank, clock, *, show_surname=True):
    """Alice Smith, Eve Brown and Bob Brown on one number; a volunteer's call to it answered."""
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
    return client, session_id, call


def ids(bank):
    with bank.uow() as uow:
        return {v.first_name: v.id for v in uow.session.exec(select(Voter)).all()}


def test_the_calling_card_asks_for_the_right_person_and_lists_the_others_at_the_number(app, bank, clock):
    client, session_id, call = household_on_a_call(app, bank, clock)
    reply = client.get(f"/call/session/{session_id}")
    card = reply.get_json()["voter"]
    people = ids(bank)

    assert card["voter_id"] == call.voter_id == people["Alice"]
    assert card["ask_for"] == "Alice Smith"
    assert card["household"] == [
        {"voter_id": people["Eve"], "first_name": "Eve", "last_name": "Brown"},
        {"voter_id": people["Bob"], "first_name": "Bob", "last_name": "Brown"},
    ]
    assert_no_phone_number(reply.get_data(as_text=True), phone_number_forms(bank))
    page = client.get(f"/call/{call.campaign_id}").get_data(as_text=True)
    assert 'id="voter-ask"' in page and 'id="voter-household-list"' in page


def test_the_card_names_only_first_names_when_the_campaign_hides_surnames(app, bank, clock):
    client, session_id, _ = household_on_a_call(app, bank, clock, show_surname=False)
    card = client.get(f"/call/session/{session_id}").get_json()["voter"]
    assert card["ask_for"] == "Alice"
    assert [(p["first_name"], p["last_name"]) for p in card["household"]] == [("Eve", None), ("Bob", None)]


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
    client, session_id, call = household_on_a_call(app, bank, clock)
    people = ids(bank)
    status(bank, call.id, call.provider_sid, "completed", 4, duration=60)
    reply = client.post(
        f"/call/session/{session_id}/outcome",
        json={
            "call": call.id,
            "disposition": "talked",
            "answers": {"intention": "Lab"},
            "others": {str(people["Eve"]): "no_answer", str(people["Bob"]): ""},
        },
    )
    assert reply.status_code == 200
    with bank.uow() as uow:
        outcomes = uow.session.exec(select(Outcome).order_by(col(Outcome.id))).all()
        voters = {v.first_name: v for v in uow.session.exec(select(Voter)).all()}
    assert [(o.voter_id, o.disposition.value, o.call_attempt_id) for o in outcomes] == [
        (people["Alice"], "talked", call.id),
        (people["Eve"], "no_answer", None),
    ]
    assert all(o.user_id is not None for o in outcomes)
    assert voters["Alice"].done and not voters["Eve"].done and not voters["Bob"].done
    assert voters["Eve"].next_call_at is not None, "Eve, asked for and out, is called again later"
    assert voters["Bob"].next_call_at is None, "Bob, not asked about, waits as he was"
    with bank.uow() as uow:
        recounted = dashboard.recount(uow.session, call.campaign_id)
    assert bank.tally.read(call.campaign_id).figures == recounted, "the dashboard counts both outcomes"
    assert recounted[figures.key("all", "disp:no_answer")] == 1


def test_an_outcome_for_someone_not_at_the_number_is_refused_and_nothing_is_recorded(app, bank, clock):
    client, session_id, call = household_on_a_call(app, bank, clock)
    stranger = make_campaign(bank, name="Elsewhere", voters=1, first_number=600, open_now=False)
    with bank.uow() as uow:
        other = uow.session.exec(select(Voter.id).where(Voter.campaign_id == stranger)).one()
    reply = client.post(
        f"/call/session/{session_id}/outcome",
        json={"call": call.id, "disposition": "talked", "others": {str(other): "do_not_call"}},
    )
    assert reply.status_code == 400
    with bank.uow() as uow:
        assert uow.session.exec(select(Outcome)).all() == []
        assert not uow.session.get(Voter, other).do_not_call


def test_when_the_person_asked_for_is_out_the_survey_is_kept_for_the_one_the_volunteer_talked_to(
    app, bank, clock
):
    client, session_id, call = household_on_a_call(app, bank, clock)
    people = ids(bank)
    reply = client.post(
        f"/call/session/{session_id}/outcome",
        json={
            "call": call.id,
            "disposition": "no_answer",  # Alice is out...
            "answers": {"intention": "LD"},
            "notes": "Eve asked about postal votes",
            "others": {str(people["Eve"]): "talked"},  # ... and Eve came to the phone
        },
    )
    assert reply.status_code == 200
    with bank.uow() as uow:
        outcomes = uow.session.exec(select(Outcome).order_by(col(Outcome.id))).all()
        answered = uow.session.exec(select(SurveyAnswer.outcome_id, SurveyAnswer.value)).all()
    alice, eve = outcomes
    assert (alice.voter_id, alice.disposition.value, alice.notes) == (people["Alice"], "no_answer", "")
    assert (eve.voter_id, eve.disposition.value, eve.notes) == (
        people["Eve"],
        "talked",
        "Eve asked about postal votes",
    )
    assert answered == [(eve.id, "LD")]
