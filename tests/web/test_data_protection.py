"""Data-protection requests: an admin exports everything about a voter, or erases them for good.

After an erasure no table holds the voter's name, phone number, address or answers, and the
campaign's totals (voters, calls by status, abandoned calls, talk time, outcomes by disposition,
sign-ups) are what they were.
"""

from __future__ import annotations

import contextlib
import json
import zlib
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import SQLModel, col, func, select, update

from dialer.adapters import redis_keys as keys
from dialer.adapters.redis_call_queue import RedisCallQueue
from dialer.domain.calls import CallStatus
from dialer.domain.campaigns import DialingMode
from dialer.domain.dispositions import Disposition
from dialer.domain.surveys import QuestionKind
from dialer.models import (
    AuditEntry,
    CallAttempt,
    CallEvent,
    Carpool,
    CarpoolSeat,
    Constituency,
    Event,
    EventSignup,
    Outcome,
    Pledge,
    PledgeSignup,
    SuppressionEntry,
    SurveyAnswer,
    SurveyQuestion,
    Voter,
)
from dialer.ports import QueuedVoter
from dialer.services.calling import call_events, queueing, upkeep
from dialer.services.campaigns import voter_import
from dialer.services.compliance import suppression
from dialer.services.compliance.audit import Actor
from dialer.services.data_protection import data_protection
from dialer.services.signups import doorstep
from dialer.services.signups.doorstep import Visit
from tests.people import add_voter, csrf_token

PERSON = {
    "first_name": "Alexandria",
    "last_name": "Quinlan-Tate",
    "postcode": "BS1 4DJ",
    "address": "17 Marsh Street",
}
PHONE = "+447700900123"


def _id(row) -> int:
    assert row.id is not None
    return int(row.id)


ANSWERS = ["Leaning Green this time", "Worried about bus routes"]


def _talk(services, campaign_id, voter_id, *, answers, sid, notes, volunteer_id=None):
    """One answered call with an outcome, survey answers and a raw provider callback."""
    now = services.clock.now()
    with services.uow() as uow:
        session = uow.session
        questions = session.exec(
            select(SurveyQuestion).where(SurveyQuestion.campaign_id == campaign_id)
        ).all()
        attempt = CallAttempt(
            campaign_id=campaign_id,
            voter_id=voter_id,
            provider_sid=sid,
            mode=DialingMode.POWER,
            status=CallStatus.COMPLETED,
            placed_at=now,
            answered_at=now,
            ended_at=now + timedelta(minutes=3),
            duration_s=180,
        )
        session.add(attempt)
        session.flush()
        voter = session.get(Voter, voter_id)
        session.add(
            CallEvent(
                call_attempt_id=attempt.id,
                provider_sid=sid,
                kind="status",
                sequence=1,
                status="completed",
                payload={"CallSid": sid, "To": voter.phone_e164, "CallStatus": "completed"},
                received_at=now,
            )
        )
        outcome = Outcome(
            campaign_id=campaign_id,
            voter_id=voter_id,
            call_attempt_id=attempt.id,
            user_id=volunteer_id,
            disposition=Disposition.TALKED,
            notes=notes,
            call_back_at=now + timedelta(days=2),
            created_at=now,
        )
        session.add(outcome)
        session.flush()
        for question, answer in zip(questions, answers, strict=False):
            session.add(SurveyAnswer(outcome_id=_id(outcome), question_id=_id(question), value=answer))
        uow.commit()
        return outcome.id


@pytest.fixture
def campaign(services, world):
    """The organiser's campaign with a survey, an event, a carpool, a pledge, two voters and their calls."""
    campaign_id = world.campaign_id
    now = services.clock.now()
    with services.uow() as uow:
        session = uow.session
        session.add(
            Constituency(
                ons_code="E14001136",
                name="Bristol Central",
                country="England",
                boundary_set="2024",
                lat=51.45,
                lon=-2.6,
            )
        )
        session.add(
            SurveyQuestion(
                campaign_id=campaign_id,
                position=0,
                key="intention",
                prompt="How will you vote?",
                kind=QuestionKind.FREE_TEXT,
            )
        )
        session.add(
            SurveyQuestion(
                campaign_id=campaign_id,
                position=1,
                key="issue",
                prompt="What matters most?",
                kind=QuestionKind.FREE_TEXT,
            )
        )
        session.flush()
        event = Event(
            campaign_id=campaign_id,
            ons_code="E14001136",
            title="Saturday doors",
            starts_at=now,
            ends_at=now + timedelta(hours=3),
            meeting_postcode="BS1 5TR",
            lat=51.45,
            lon=-2.59,
        )
        pledge = Pledge(campaign_id=campaign_id, slug="day-off", text="Take polling day off")
        session.add_all([event, pledge])
        session.flush()
        carpool = Carpool(
            event_id=_id(event),
            driver_id=world.accounts["volunteer"],
            pickup_postcode="BS3 1AA",
            lat=51.44,
            lon=-2.6,
            seats_offered=3,
            departs_at=now,
            created_at=now,
        )
        session.add(carpool)
        uow.commit()
        ids = {"event": _id(event), "pledge": _id(pledge), "carpool": _id(carpool)}
    person = world.voter_id
    with services.uow() as uow:
        voter = uow.session.get(Voter, person)
        for key, value in PERSON.items():
            setattr(voter, key, value)
        voter.area = "Cabot ward"
        voter.external_id = "ER-00017"
        uow.session.add(voter)
        uow.commit()
    elsewhere = add_voter(services, world.other_campaign_id, phone=PHONE, **PERSON)
    bystander = add_voter(
        services, campaign_id, phone="+447700900777", first_name="Morwenna", last_name="Pike"
    )
    talked = _talk(
        services,
        campaign_id,
        person,
        answers=ANSWERS,
        sid="CA" + "1" * 32,
        notes="Alexandria asked about buses",
        volunteer_id=world.accounts["volunteer"],
    )
    _talk(services, world.other_campaign_id, elsewhere, answers=[], sid="CA" + "2" * 32, notes="")
    _talk(
        services,
        campaign_id,
        bystander,
        answers=["Definitely Labour", "Housing"],
        sid="CA" + "3" * 32,
        notes="Morwenna will deliver leaflets",
    )
    with services.uow() as uow:
        uow.session.add(
            EventSignup(
                event_id=ids["event"],
                voter_id=person,
                outcome_id=talked,
                name="Alexandria Quinlan-Tate",
                created_at=now,
            )
        )
        uow.session.add(
            PledgeSignup(
                pledge_id=ids["pledge"],
                voter_id=person,
                outcome_id=talked,
                name="Alexandria Quinlan-Tate",
                email="alexandria@example.net",
                channel="phone",
                created_at=now,
            )
        )
        uow.session.add(
            CarpoolSeat(carpool_id=ids["carpool"], voter_id=person, outcome_id=talked, created_at=now)
        )
        uow.commit()
    suppression.record_do_not_call(services.uow(), services.clock, elsewhere, Actor(None))
    leave_traces_through_the_product(services, world, person)
    return {"campaign_id": campaign_id, "person": person, "elsewhere": elsewhere, "bystander": bystander}


#: The raw list an organiser uploads, the person on it (by name, and by number as written).
UPLOAD = (
    f"First name,Last name,Phone,Address\n{PERSON['first_name']},{PERSON['last_name']},{PHONE},17 Marsh St\n"
)


def leave_traces_through_the_product(services, world, person):
    """What the phone bank, the doorstep and the voter import keep about the person when used."""
    campaign_id, sid = world.campaign_id, "CA" + "1" * 32
    # the voter's leg joining the volunteer's seat: a conference callback about the person's call
    call_events.on_conference_event(
        services.phone_bank,
        call_events.ConferenceEvent(
            session_id=world.session_id, conference_sid="CF" + "9" * 32, event="participant-join",
            call_sid=sid, sequence=7, payload={"CallSid": sid, "StatusCallbackEvent": "participant-join"},
        ),
    )  # fmt: skip
    # a canvasser at the door, with a note, before the number was opted out (the walk list, and so
    # the doorstep, no longer offers a voter on the do-not-call list)
    with services.uow() as uow:
        uow.session.exec(update(Voter).where(col(Voter.id) == person).values(do_not_call=False))
        uow.commit()
    doorstep.record_visit(
        services.uow(), services.clock,
        Visit("erase-door-1", world.event_id, person, "no_answer", notes="Alexandria's lodger: try weekends"),
        user_id=world.accounts["volunteer"],
    )  # fmt: skip
    with services.uow() as uow:
        uow.session.exec(update(Voter).where(col(Voter.id) == person).values(do_not_call=True))
        uow.commit()
    # an import that ran (its report names lines), and one still waiting for its columns (file kept)
    finished = voter_import.start_import(
        services.uow(), services.clock, campaign_id=campaign_id, user_id=world.accounts["organiser"],
        filename="ward.csv", data=(UPLOAD + "Alexandria,Quinlan-Tate,07700 90012,17 Marsh St\n").encode(),
        encoding="utf-8",
    )  # fmt: skip
    _, row = voter_import.progress(services.uow(), finished)
    voter_import.choose_columns(services.uow(), NoJobs(), finished, row.columns)
    voter_import.run_import(
        services.uow, services.clock, services.live, finished, number_key=services.number_key
    )
    voter_import.start_import(
        services.uow(), services.clock, campaign_id=campaign_id, user_id=world.accounts["organiser"],
        filename="more.csv", data=UPLOAD.encode(), encoding="utf-8",
    )  # fmt: skip


class NoJobs:
    def enqueue(self, job, *args, at=None, job_id=None):
        pass


def totals(services, campaign_id):
    """What a campaign's dashboard counts."""
    with services.uow() as uow:
        s = uow.session
        attempts = s.exec(select(CallAttempt).where(CallAttempt.campaign_id == campaign_id)).all()
        outcomes = s.exec(select(Outcome).where(Outcome.campaign_id == campaign_id)).all()
        events = s.exec(select(Event.id).where(Event.campaign_id == campaign_id)).all()
        pledges = s.exec(select(Pledge.id).where(Pledge.campaign_id == campaign_id)).all()
        return {
            "voters": s.exec(
                select(func.count()).select_from(Voter).where(Voter.campaign_id == campaign_id)
            ).one(),
            "calls_by_status": Counter(a.status.value for a in attempts),
            "abandoned": sum(a.abandoned for a in attempts),
            "talk_time_s": sum(a.duration_s or 0 for a in attempts),
            "outcomes": Counter(o.disposition.value for o in outcomes),
            "event_signups": len(
                s.exec(select(EventSignup).where(col(EventSignup.event_id).in_(events))).all()
            ),
            "pledges": len(
                s.exec(select(PledgeSignup).where(col(PledgeSignup.pledge_id).in_(pledges))).all()
            ),
            "carpool_requests": len(s.exec(select(CarpoolSeat)).all()),
        }


def everything_stored(services) -> str:
    """Every value in every table, as one lower-cased text to search."""
    parts: list[str] = []
    with services.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                parts.extend(json.dumps(value, default=str) for value in row)
    return "\n".join(parts).lower()


def erase(admin, voter_id):
    return admin.post(
        f"/admin/voters/{voter_id}/erase", data={"confirm": "y", "csrf_token": csrf_token(admin)}
    )


def test_after_erasure_no_table_holds_the_voters_name_phone_address_or_answers(client_as, services, campaign):
    stored = everything_stored(services)
    personal = [
        PERSON["first_name"],
        PERSON["last_name"],
        PERSON["address"],
        PHONE,
        PHONE[3:],
        *ANSWERS,
        "alexandria@example.net",
        "ER-00017",
        "CA" + "1" * 32,  # the person's call at the provider
        "try weekends",  # the canvasser's note
    ]
    assert all(value.lower() in stored for value in personal), "the fixture should hold the personal data"

    reply = erase(client_as("admin"), campaign["person"])
    assert reply.status_code == 303

    stored = everything_stored(services)
    for value in personal:
        assert value.lower() not in stored, f"{value!r} is still stored after erasure"
    # the bystander on the same campaign is untouched
    for value in ("Morwenna", "+447700900777", "Definitely Labour", "Morwenna will deliver leaflets"):
        assert value.lower() in stored


def test_erasure_leaves_every_campaigns_totals_unchanged(client_as, services, campaign, world):
    before = {c: totals(services, c) for c in (world.campaign_id, world.other_campaign_id)}
    erase(client_as("admin"), campaign["person"])
    after = {c: totals(services, c) for c in (world.campaign_id, world.other_campaign_id)}
    assert after == before
    # the fixture really has something to count: the world's conversation, and the fixture's two
    assert before[world.campaign_id]["outcomes"]["talked"] == 3


def test_erasure_covers_the_same_person_on_every_campaigns_list_and_is_audited(
    client_as, services, campaign, world
):
    erase(client_as("admin"), campaign["person"])
    with services.uow() as uow:
        for voter_id in (campaign["person"], campaign["elsewhere"]):
            voter = uow.session.get(Voter, voter_id)
            assert voter.erased_at is not None and voter.phone_e164 is None and voter.done
        assert uow.session.exec(select(SurveyAnswer)).all() != []  # the bystander's answers stay
        entry = uow.session.exec(select(AuditEntry).where(AuditEntry.action == "voter_erased")).one()
        assert (entry.actor_id, entry.subject_id, entry.detail["records"]) == (
            world.accounts["admin"],
            str(campaign["person"]),
            2,
        )


def test_erasure_needs_an_explicit_confirmation(client_as, services, campaign):
    admin = client_as("admin")
    reply = admin.post(f"/admin/voters/{campaign['person']}/erase", data={"csrf_token": csrf_token(admin)})
    assert reply.status_code == 400
    assert "Tick the box to confirm the erasure." in reply.get_data(as_text=True)
    with services.uow() as uow:
        assert uow.session.get(Voter, campaign["person"]).erased_at is None


def test_an_export_holds_everything_about_the_person_and_is_audited(client_as, services, campaign, world):
    admin = client_as("admin")
    reply = admin.post(f"/admin/voters/{campaign['person']}/export", data={"csrf_token": csrf_token(admin)})
    assert reply.status_code == 200
    assert reply.headers["Content-Disposition"].startswith("attachment;")
    assert reply.headers["Cache-Control"] == "no-store"
    document = reply.get_json()
    assert {r["campaign"] for r in document["records"]} == {"Bristol Central calls", "Stroud calls"}
    assert {r["phone_e164"] for r in document["records"]} == {PHONE}
    assert sorted(a["answer"] for a in document["survey_answers"]) == sorted(ANSWERS)
    # the world's conversation with the person, the fixture's, the one on the other campaign, and the
    # doorstep visit
    assert len(document["call_attempts"]) == 3 and len(document["outcomes"]) == 4
    assert {c["kind"] for c in document["provider_callbacks"]} == {"status", "conference"}
    assert document["pledges"][0]["email"] == "alexandria@example.net"
    assert document["event_signups"] and document["carpool_requests"]
    assert document["do_not_call_list"][0]["reason"] == "opt_out"
    assert "Morwenna" not in reply.get_data(as_text=True)
    with services.uow() as uow:
        entry = uow.session.exec(select(AuditEntry).where(AuditEntry.action == "voter_exported")).one()
        assert entry.actor_id == world.accounts["admin"]


def test_opening_a_voter_record_is_audited_and_shows_no_whole_number(client_as, services, campaign, world):
    admin = client_as("admin")
    found = admin.get("/admin/voters", query_string={"q": "07700 900123"}).get_data(as_text=True)
    assert "Alexandria Quinlan-Tate" in found and "Stroud calls" in found
    page = admin.get(f"/admin/voters/{campaign['person']}").get_data(as_text=True)
    assert "Alexandria" in page and "•••• 123" in page and "7700900123" not in page
    with services.uow() as uow:
        viewed = uow.session.exec(select(AuditEntry).where(AuditEntry.action == "voter_viewed")).one()
        assert (viewed.actor_id, viewed.subject_id) == (world.accounts["admin"], str(campaign["person"]))


def test_a_person_erased_after_asking_not_to_be_called_is_never_called_when_their_number_comes_back(
    client_as, services, campaign, world
):
    erase(client_as("admin"), campaign["person"])
    with services.uow() as uow:
        (kept,) = uow.session.exec(
            select(SuppressionEntry).where(col(SuppressionEntry.fingerprint).is_not(None))
        )
        assert kept.phone_e164 is None and kept.reason == "opt_out", "the opt-out is kept, the number is not"
    assert PHONE not in repr(suppression.listing(services.uow()).entries)

    # A later list holds the number again (a new canvass sheet, another campaign's import).
    again = voter_import.start_import(
        services.uow(), services.clock, campaign_id=world.other_campaign_id, user_id=world.accounts["organiser"],
        filename="new-sheet.csv", data=UPLOAD.encode(), encoding="utf-8",
    )  # fmt: skip
    _, row = voter_import.progress(services.uow(), again)
    voter_import.choose_columns(services.uow(), NoJobs(), again, row.columns)
    voter_import.run_import(
        services.uow, services.clock, services.live, again, number_key=services.number_key
    )

    with services.uow() as uow:
        back = uow.session.exec(select(Voter).where(Voter.phone_e164 == PHONE)).one()
        assert back.do_not_call, "imported as do-not-call: nobody will dial them"
        erased = suppression.erased_among(uow.session, [PHONE, "+447700900777"], services.number_key)
        assert erased == {PHONE}, "the bystander's number is no erased person's"


# --- Redis ---------------------------------------------------------------------------------------


def everything_in_redis(redis) -> str:
    """Every key and every value of every key in Redis (job payloads unpacked), as one lower-cased text."""
    parts: list[bytes] = []
    for key in redis.scan_iter(count=500):
        parts.append(key)
        kind = redis.type(key).decode()
        if kind == "string":
            values = [redis.get(key)]
        elif kind == "hash":
            values = [part for pair in redis.hgetall(key).items() for part in pair]
        elif kind == "set":
            values = list(redis.smembers(key))
        elif kind == "zset":
            values = [member for member, _ in redis.zrange(key, 0, -1, withscores=True)]
        elif kind == "list":
            values = redis.lrange(key, 0, -1)
        elif kind == "stream":
            values = [repr(entry).encode() for entry in redis.xrange(key)]
        else:
            raise AssertionError(f"a Redis {kind} ({key!r}) the scan does not read: teach it")
        for value in values:
            parts.append(value)
            with contextlib.suppress(zlib.error):
                parts.append(zlib.decompress(value))  # RQ keeps job data compressed
    return b"\n".join(parts).decode("utf-8", "replace").lower()


def put_the_person_in_redis(services, world, campaign):
    """The phone banks open (which puts the person's do-not-call number and the numbers dialled today
    in Redis), and the person queued on both campaigns, as they were before they opted out."""
    bank = services.phone_bank
    now = services.clock.now()
    for campaign_id, voter_id in (
        (world.campaign_id, campaign["person"]),
        (world.other_campaign_id, campaign["elsewhere"]),
    ):
        upkeep.open_phone_bank(bank, campaign_id)
        bank.queue.add(campaign_id, QueuedVoter(voter_id, PHONE, now + timedelta(days=1)))
    bank.queue.mark_dialled(PHONE, world.other_campaign_id, day=queueing.day_key(now + timedelta(days=1)))


def test_after_erasure_no_redis_key_holds_the_persons_number_or_their_place_in_a_queue(
    client_as, services, campaign, world
):
    put_the_person_in_redis(services, world, campaign)
    numbers = [PHONE, PHONE[3:]]
    before = everything_in_redis(services.redis)
    assert all(number in before for number in numbers), "the fixture should put the number in Redis"
    queued = {
        (world.campaign_id, campaign["person"]),
        (world.other_campaign_id, campaign["elsewhere"]),
    }

    assert erase(client_as("admin"), campaign["person"]).status_code == 303

    after = everything_in_redis(services.redis)
    for value in [*numbers, PERSON["first_name"], PERSON["last_name"], PERSON["address"], *ANSWERS]:
        assert value.lower() not in after, f"{value!r} is still in Redis after erasure"
    for campaign_id, voter_id in queued:
        for key in (keys.queue(campaign_id), keys.call_backs(campaign_id), keys.phones(campaign_id)):
            held = (
                services.redis.zscore(key, voter_id)
                if "phones" not in key
                else services.redis.hget(key, voter_id)
            )
            assert held is None, f"voter {voter_id} is still in {key}"
    # the bystander is still waiting for their call
    assert "+447700900777" in after


class UnreachableRedis(RedisCallQueue):
    """The call queue at the moment Redis stops answering."""

    def forget(self, phones, voters):
        raise ConnectionError("Redis is not answering")


def test_when_redis_cannot_forget_the_person_nothing_is_erased_and_it_can_be_asked_again(services, campaign):
    before = everything_stored(services)
    with pytest.raises(ConnectionError):
        data_protection.erase_voter(
            services.uow(),
            services.clock,
            Actor(None),
            campaign["person"],
            number_key=services.number_key,
            queue=UnreachableRedis(services.redis),
        )
    assert everything_stored(services) == before
    with services.uow() as uow:
        assert uow.session.get(Voter, campaign["person"]).phone_e164 == PHONE
