"""Doorstep visits are kept exactly once; one conversation's sign-ups show on the voter's timeline;
organisers' exports are audited."""

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from dialer.domain.calls import CallStatus
from dialer.domain.campaigns import DialingMode
from dialer.domain.dispositions import Disposition
from dialer.errors import InvalidInput
from dialer.models import (
    AuditEntry,
    CallAttempt,
    Outcome,
    SuppressionEntry,
    SurveyAnswer,
    SurveyQuestion,
    Voter,
)
from dialer.services.compliance.audit import SYSTEM, Actor
from dialer.services.organising import exports, timeline
from dialer.services.signups import carpools, doorstep, events, pledges, signup_slot
from dialer.services.signups.doorstep import Visit
from tests import signup_factories as make

pytestmark = pytest.mark.integration


@pytest.fixture
def door(services):
    """A campaign's event starting in half an hour, a voter on its walk list, and an approved canvasser."""
    campaign_id = make.campaign(services)
    make.question(services, campaign_id)
    event_id = make.event(services, campaign_id, starts_in=timedelta(minutes=30))
    voter_id = make.voter(services, campaign_id, postcode="SW1A 1AB", address="3 Whitehall")
    canvasser = make.user(services, first_name="Cal")
    events.sign_up(services.uow(), services.clock, event_id, user_id=canvasser)
    doorstep.approve_canvasser(services.uow(), services.clock, SYSTEM, event_id, canvasser)
    return campaign_id, event_id, voter_id, canvasser


def outcomes(services):
    with services.uow() as uow:
        return uow.session.exec(select(Outcome.id, Outcome.idempotency_key)).all()


def test_a_visit_sent_again_after_a_lost_reply_is_stored_once(services, door):
    _, event_id, voter_id, canvasser = door
    visit = Visit("visit-key-0001", event_id, voter_id, "talked", {"support": "Yes"})
    first = doorstep.record_visit(services.uow(), services.clock, visit, user_id=canvasser)
    again = doorstep.record_visit(services.uow(), services.clock, visit, user_id=canvasser)
    assert (first.created, again.created, again.outcome_id) == (True, False, first.outcome_id)
    assert len(outcomes(services)) == 1
    with services.uow() as uow:
        assert uow.session.exec(select(SurveyAnswer.value)).all() == ["Yes"]


def test_the_same_visit_arriving_twice_at_once_is_stored_once(services, door):
    _, event_id, voter_id, canvasser = door
    visit = Visit("visit-key-race", event_id, voter_id, "no_answer")
    barrier = threading.Barrier(4)
    receipts = []

    def send():
        barrier.wait()
        receipts.append(doorstep.record_visit(services.uow(), services.clock, visit, user_id=canvasser))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes(services)) == 1
    assert sorted(receipt.created for receipt in receipts) == [False, False, False, True]


def test_a_key_reused_for_another_voter_is_refused(services, door):
    campaign_id, event_id, voter_id, canvasser = door
    other = make.voter(services, campaign_id)
    doorstep.record_visit(
        services.uow(), services.clock, Visit("k" * 10, event_id, voter_id, "talked"), user_id=canvasser
    )
    with pytest.raises(InvalidInput, match="already used"):
        doorstep.record_visit(
            services.uow(), services.clock, Visit("k" * 10, event_id, other, "talked"), user_id=canvasser
        )


def test_do_not_contact_at_the_door_opts_the_number_out_everywhere(services, door):
    _, event_id, voter_id, canvasser = door
    with services.uow() as uow:
        phone = uow.session.get(Voter, voter_id).phone_e164
    elsewhere = make.voter(services, make.campaign(services), phone=phone)
    doorstep.record_visit(
        services.uow(),
        services.clock,
        Visit("optout-001", event_id, voter_id, "do_not_call"),
        user_id=canvasser,
    )
    with services.uow() as uow:
        [entry] = uow.session.exec(select(SuppressionEntry)).all()
        assert (entry.phone_e164, entry.created_by_id) == (phone, canvasser)
        assert uow.session.get(Voter, elsewhere).do_not_call, "the same number on another campaign's list"
        audited = uow.session.exec(
            select(AuditEntry.action, AuditEntry.actor_id).where(AuditEntry.action != "canvasser_approved")
        ).all()
        assert audited == [("suppression_added", canvasser)]
    walk = doorstep.walk_list(services.uow(), event_id)
    assert voter_id not in [d.voter_id for d in walk.doors]


def test_the_walk_list_is_the_campaigns_addresses_in_the_meeting_points_district(services, door):
    campaign_id, event_id, voter_id, canvasser = door
    make.voter(services, campaign_id, postcode="M1 1AE", address="Far away")
    make.voter(services, campaign_id, postcode="SW1A 2AA", address="")  # phone-only voters are not visited
    walk = doorstep.walk_list(services.uow(), event_id)
    assert [(d.voter_id, d.address, d.visited) for d in walk.doors] == [(voter_id, "3 Whitehall", None)]
    doorstep.record_visit(
        services.uow(), services.clock, Visit("walk-0001", event_id, voter_id, "no_answer"), user_id=canvasser
    )
    assert doorstep.walk_list(services.uow(), event_id).doors[0].visited == "Not in"
    assert [q.key for q in walk.questions] == ["support"]


def test_signups_made_at_the_door_are_replayed_with_the_visit_but_never_doubled(services, door):
    campaign_id, event_id, voter_id, canvasser = door
    pledge_id = pledges.create_pledge(
        services.uow(), campaign_id, slug="day-off", text="Day off", clock=services.clock, actor=SYSTEM
    )
    visit = Visit(
        "door-signup", event_id, voter_id, "talked", {}, event_ids=(event_id,), pledge_ids=(pledge_id,)
    )
    for _ in range(3):
        doorstep.record_visit(services.uow(), services.clock, visit, user_id=canvasser)
    entries = timeline.voter_timeline(services.uow(), services.clock, Actor(canvasser), voter_id).entries
    [conversation] = entries
    assert isinstance(conversation, timeline.Conversation)
    assert sorted(line.kind for line in conversation.signups) == ["event", "pledge"]


def test_the_timeline_shows_a_call_an_event_place_and_a_carpool_seat_from_one_conversation(services):
    campaign_id = make.campaign(services)
    make.question(services, campaign_id)
    caller = make.user(services, first_name="Priya")
    organiser = make.user(services)
    driver = make.user(services)
    voter_id = make.voter(services, campaign_id, first_name="Vic", postcode="SW1A 2AA")
    event_id = make.event(services, campaign_id)
    carpool_id = carpools.offer(
        services.uow(), services.clock, make.locate, event_id=event_id, driver_id=driver,
        pickup_postcode="SE1 7PB", seats=3, departs_at=services.clock.now() + timedelta(days=2),
    )  # fmt: skip
    with services.uow() as uow:
        call = CallAttempt(
            campaign_id=campaign_id, voter_id=voter_id, mode=DialingMode.POWER, status=CallStatus.COMPLETED,
            placed_at=services.clock.now(), duration_s=184,
        )  # fmt: skip
        uow.session.add(call)
        uow.session.flush()
        outcome = Outcome(
            campaign_id=campaign_id, voter_id=voter_id, call_attempt_id=call.id, user_id=caller,
            disposition=Disposition.TALKED, created_at=services.clock.now(),
        )  # fmt: skip
        uow.session.add(outcome)
        uow.session.flush()
        assert outcome.id is not None
        question_id = uow.session.exec(select(SurveyQuestion.id)).one()
        uow.session.add(SurveyAnswer(outcome_id=outcome.id, question_id=question_id, value="Yes"))
        uow.commit()
        outcome_id = outcome.id

    assert signup_slot.in_conversation(services.uow(), services.clock, caller, voter_id)
    options = signup_slot.options_for(services.uow(), services.clock, make.locate, voter_id)
    assert [e.id for e in options.events] == [event_id] and [r.carpool_id for r in options.rides] == [
        carpool_id
    ]
    assert (
        signup_slot.sign_up_voter(
            services.uow(), services.clock, voter_id, outcome_id=outcome_id, event_id=event_id
        )
        == "confirmed"
    )
    assert (
        signup_slot.sign_up_voter(
            services.uow(), services.clock, voter_id, outcome_id=outcome_id, carpool_id=carpool_id
        )
        == "requested"
    )

    history = timeline.voter_timeline(
        services.uow(), services.clock, Actor(organiser, "203.0.113.9"), voter_id
    )
    [conversation] = history.entries
    assert isinstance(conversation, timeline.Conversation)
    assert (conversation.channel, conversation.outcome, conversation.volunteer) == (
        "phone",
        "Talked to voter",
        "Priya",
    )
    assert conversation.call_seconds == 184 and conversation.answers == [("Support?", "Yes")]
    assert {(line.kind, line.status) for line in conversation.signups} == {
        ("event", "confirmed"),
        ("carpool", "requested"),
    }
    with services.uow() as uow:
        audit = uow.session.exec(select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.ip)).all()
    assert audit == [("voter_viewed", organiser, "203.0.113.9")]


def test_a_volunteer_with_no_conversation_with_the_voter_may_not_sign_them_up(services):
    campaign_id = make.campaign(services)
    voter_id = make.voter(services, campaign_id)
    assert not signup_slot.in_conversation(services.uow(), services.clock, make.user(services), voter_id)
    other_voter = make.voter(services, campaign_id)
    with services.uow() as uow:
        outcome = Outcome(
            campaign_id=campaign_id,
            voter_id=other_voter,
            disposition=Disposition.TALKED,
            created_at=services.clock.now(),
        )
        uow.session.add(outcome)
        uow.commit()
    with pytest.raises(InvalidInput, match="someone else"):
        signup_slot.sign_up_voter(
            services.uow(), services.clock, voter_id, outcome_id=outcome.id, pledge_id=1
        )


def test_exports_are_audited_csv_without_phone_numbers_and_with_formulas_defused(services, door):
    campaign_id, event_id, voter_id, canvasser = door
    doorstep.record_visit(
        services.uow(), services.clock,
        Visit("export-001", event_id, voter_id, "talked", {"support": "Yes"}, notes="=HYPERLINK(1)", event_ids=(event_id,)),
        user_id=canvasser,
    )  # fmt: skip
    text = "".join(
        exports.export(
            services.uow, services.clock, Actor(canvasser, "198.51.100.2"), campaign_id, "outcomes"
        )
    )
    [header, row] = list(csv.reader(io.StringIO(text)))
    record = dict(zip(header, row, strict=True))
    assert (record["channel"], record["outcome"], record["volunteer"], record["survey_support"]) == (
        "doorstep",
        "talked",
        "Cal",
        "Yes",
    )
    assert record["notes"] == "'=HYPERLINK(1)"
    assert "+44" not in text
    signups = list(
        csv.DictReader(
            io.StringIO(
                "".join(
                    exports.export(services.uow, services.clock, Actor(canvasser), campaign_id, "signups")
                )
            )
        )
    )
    assert [(s["kind"], s["who"], s["status"]) for s in signups] == [
        ("event", "volunteer", "confirmed"),  # the canvasser's own place
        ("event", "voter", "confirmed"),
    ]
    with services.uow() as uow:
        actions = uow.session.exec(
            select(AuditEntry.action, AuditEntry.subject_id, AuditEntry.detail).where(
                AuditEntry.action == "campaign_exported"
            )
        ).all()
    assert actions == [
        ("campaign_exported", str(campaign_id), {"export": "outcomes", "format": "csv"}),
        ("campaign_exported", str(campaign_id), {"export": "signups", "format": "csv"}),
    ]


def test_a_canvasser_is_canvassing_only_around_the_event(services):
    """(The campaign's organisers see the walk list at any time: their access policy, tested over HTTP.)"""
    campaign_id = make.campaign(services)
    event_id = make.event(services, campaign_id, starts_in=timedelta(hours=3))
    canvasser, stranger = make.user(services), make.user(services)
    for volunteer in (canvasser, stranger):
        events.sign_up(services.uow(), services.clock, event_id, user_id=volunteer)
    doorstep.approve_canvasser(services.uow(), services.clock, SYSTEM, event_id, canvasser)

    def canvassing(user_id, *, recording=False):
        return doorstep.is_canvassing(services.uow(), services.clock, user_id, event_id, recording=recording)

    assert (canvassing(canvasser), canvassing(stranger)) == (False, False)
    services.clock.advance(2.5 * 3600)  # half an hour before the start
    assert (canvassing(canvasser), canvassing(stranger)) == (True, False), "a place alone is not enough"
    services.clock.advance(4 * 3600)  # after the end: no walk list, but late visits still arrive
    assert canvassing(canvasser) is False
    assert canvassing(canvasser, recording=True)
    assert not canvassing(stranger, recording=True)
    services.clock.advance(24 * 3600)
    assert not canvassing(canvasser, recording=True)
