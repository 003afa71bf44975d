"""Texts after a call, on the simulator as on Twilio: the volunteer texts a voter who signed up
the link (in the campaign's words, from the campaign's number, to a number the volunteer never
sees), only with the voter's agreement and only to a mobile; a STOP reply ends texts at once; sign-ups
get a reminder the day before, once."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from sqlmodel import col, select

from dialer.domain.calling_hours import LONDON
from dialer.domain.seats import AudioLeg
from dialer.domain.text_messages import Purpose, SignupKind
from dialer.models import CallAttempt, TextConsent, TextMessage, TextOptOut, Voter
from dialer.services.calling import sessions, texts, upkeep
from dialer.services.calling.upkeep import open_phone_bank
from dialer.services.compliance.audit import SYSTEM
from dialer.services.data_protection import data_protection
from dialer.simulator import Behaviour
from tests import signup_factories as make
from tests.one_clock import OnOneClock, running_on_one_clock
from tests.people import csrf_headers, sign_in_as
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer

pytestmark = pytest.mark.integration

CALLER_ID = "+442079460000"
VOTER = drama_number(0)
VOLUNTEER_PHONE = drama_number(900)


@pytest.fixture
def world(settings, clean_db, redis, redis_url):
    with running_on_one_clock(settings, clean_db, redis, redis_url) as wired:
        yield wired


def talk_to_the_voter(world, *, voter_number: str = VOTER):
    """A volunteer on their own phone is put through to the campaign's one voter; returns the
    campaign, the volunteer's signed-in client, their seat and the voter's id."""
    bank = world.services.phone_bank
    campaign_id = make_campaign(bank, voters=0, open_now=False)
    with bank.uow() as uow:
        voter = Voter(
            campaign_id=campaign_id, first_name="Ada", phone_e164=voter_number, created_at=bank.clock.now()
        )
        uow.session.add(voter)
        uow.commit()
        voter_id = voter.id
    open_phone_bank(bank, campaign_id)
    world.sim.set_behaviour(VOLUNTEER_PHONE, Behaviour.answer(ring=1, talk=3600, patience_s=3600, digits="1"))
    world.sim.set_behaviour(voter_number, Behaviour.answer(ring=2, talk=3600, patience_s=3600))
    volunteer = make_volunteer(bank, phone=VOLUNTEER_PHONE)
    seat = sessions.start_session(bank, volunteer, campaign_id, AudioLeg.PHONE).session_id
    world.sim.advance(60)
    with bank.uow() as uow:
        call = uow.session.exec(select(CallAttempt).where(CallAttempt.voter_id == voter_id)).one()
        assert call.connected_at is not None, "the voter was put through"
    client = sign_in_as(world.app.test_client(), world.services, volunteer)
    return campaign_id, client, seat, voter_id, call.id


def tomorrow_noon(world: OnOneClock) -> timedelta:
    """How long from now until noon tomorrow, UK time."""
    now = world.services.clock.now()
    noon = datetime.combine((now.astimezone(LONDON) + timedelta(days=1)).date(), time(12), tzinfo=LONDON)
    return noon - now


def outbound(world):
    return [m for m in world.sim.rest_client().messages.list() if m.direction == "outbound-api"]


def test_after_a_call_with_an_event_sign_up_the_volunteer_texts_the_link_and_stop_ends_texts(world):
    campaign_id, client, seat, voter_id, call_id = talk_to_the_voter(world)
    event_id = make.event(world.services, campaign_id, starts_in=timedelta(days=3))
    headers = csrf_headers(client)
    signed = client.post(
        f"/signups/voters/{voter_id}", json={"kind": "event", "id": event_id}, headers=headers
    )
    assert signed.status_code == 200, signed.get_json()
    saved = client.post(
        f"/call/session/{seat}/outcome", json={"call": call_id, "disposition": "talked"}, headers=headers
    )
    assert saved.status_code == 200, saved.get_json()

    offered = client.get(f"/texts/voters/{voter_id}")
    assert offered.get_json()["can_text"] is True
    assert [(c["kind"], c["id"], c["sent"]) for c in offered.get_json()["choices"]] == [
        ("event", event_id, None)
    ]
    not_asked = client.post(
        f"/texts/voters/{voter_id}", json={"kind": "event", "id": event_id}, headers=headers
    )
    assert not_asked.status_code == 400 and "agreed" in not_asked.get_json()["error"]
    assert outbound(world) == [], "nothing goes without the voter's agreement"

    sent = client.post(
        f"/texts/voters/{voter_id}", json={"kind": "event", "id": event_id, "agreed": True}, headers=headers
    )
    assert sent.status_code == 200 and sent.get_json()["status"] == "queued"
    assert VOTER not in sent.get_data(as_text=True) and "7700" not in json.dumps(offered.get_json())
    world.sim.advance(10)

    [message] = outbound(world)
    with world.services.uow() as uow:
        text = uow.session.exec(select(TextMessage)).one()
        consent = uow.session.exec(select(TextConsent)).one()
    assert message.to == VOTER and message.from_ == CALLER_ID
    link = f"{world.services.settings.public_base_url.rstrip('/')}/t/{text.link_token}"
    assert link in message.body and "Reply STOP" in message.body and "Westminster phone bank" in message.body
    assert (text.provider_sid, text.status) == (message.sid, "delivered"), (
        "the delivery reports were recorded"
    )
    assert (consent.voter_id, consent.call_attempt_id) == (voter_id, call_id)
    page = world.app.test_client().get(f"/t/{text.link_token}")
    assert page.status_code == 200 and "Door-knocking" in page.get_data(as_text=True)
    again = client.post(
        f"/texts/voters/{voter_id}", json={"kind": "event", "id": event_id, "agreed": True}, headers=headers
    )
    assert again.status_code == 409 and len(outbound(world)) == 1, "one link text per sign-up"

    world.sim.text(CALLER_ID, from_=VOTER, body="Stop")  # the webhook reaches the product, signed
    with world.services.uow() as uow:
        assert uow.session.exec(select(TextOptOut.phone_e164)).all() == [VOTER]

    assert texts.dashboard_figures(world.services.phone_bank, campaign_id) == {
        "sent": 1,
        "delivered": 1,
        "failed": 0,
        "stopped": 1,
    }
    after_stop = client.get(f"/texts/voters/{voter_id}").get_json()
    assert after_stop["can_text"] is False and "replied STOP" in after_stop["why_not"]
    second = make.event(world.services, campaign_id, starts_in=tomorrow_noon(world))
    client.post(f"/signups/voters/{voter_id}", json={"kind": "event", "id": second}, headers=headers)
    next_text = client.post(
        f"/texts/voters/{voter_id}", json={"kind": "event", "id": second, "agreed": True}, headers=headers
    )
    assert next_text.status_code == 409 and "replied STOP" in next_text.get_json()["error"]
    assert len(outbound(world)) == 1, "the next text never reached the provider"
    assert texts.send_reminders(world.services.phone_bank) == 0, "nor the reminder of tomorrow's event"
    assert len(outbound(world)) == 1


def test_the_provider_refusing_an_opted_out_number_stops_texts_too(world):
    """Twilio keeps its own list of who said STOP (21610): a refusal is recorded as an opt-out."""
    campaign_id, client, _, voter_id, _ = talk_to_the_voter(world)
    event_id = make.event(world.services, campaign_id, starts_in=timedelta(days=3))
    headers = csrf_headers(client)
    client.post(f"/signups/voters/{voter_id}", json={"kind": "event", "id": event_id}, headers=headers)
    # The reply reached Twilio but not the product (the number had no SMS URL then).
    number = world.sim.rest_client().incoming_phone_numbers.list(phone_number=CALLER_ID)[0]
    world.sim.rest_client().incoming_phone_numbers(number.sid).update(sms_url="")
    world.sim.text(CALLER_ID, from_=VOTER, body="UNSUBSCRIBE")
    refused = client.post(
        f"/texts/voters/{voter_id}", json={"kind": "event", "id": event_id, "agreed": True}, headers=headers
    )
    assert refused.status_code == 409 and "STOP" in refused.get_json()["error"]
    with world.services.uow() as uow:
        assert uow.session.exec(select(TextOptOut.phone_e164)).all() == [VOTER]
        assert uow.session.exec(select(TextMessage.status, TextMessage.error_code)).all() == [
            ("failed", 21610)
        ]


def test_a_landline_is_never_texted(world):
    campaign_id, client, _, voter_id, _ = talk_to_the_voter(world, voter_number="+441174960123")
    event_id = make.event(world.services, campaign_id, starts_in=timedelta(days=3))
    headers = csrf_headers(client)
    client.post(f"/signups/voters/{voter_id}", json={"kind": "event", "id": event_id}, headers=headers)
    offered = client.get(f"/texts/voters/{voter_id}").get_json()
    assert offered["can_text"] is False and "landline" in offered["why_not"]
    refused = client.post(
        f"/texts/voters/{voter_id}", json={"kind": "event", "id": event_id, "agreed": True}, headers=headers
    )
    assert refused.status_code == 409 and outbound(world) == []


def test_a_sign_up_that_agreed_gets_one_reminder_the_day_before(world):
    campaign_id, client, _, voter_id, _ = talk_to_the_voter(world)
    later = make.event(world.services, campaign_id, starts_in=tomorrow_noon(world) + timedelta(days=1))
    tomorrow = make.event(world.services, campaign_id, starts_in=tomorrow_noon(world))
    headers = csrf_headers(client)
    for event_id in (later, tomorrow):
        client.post(f"/signups/voters/{voter_id}", json={"kind": "event", "id": event_id}, headers=headers)
    bank = world.services.phone_bank
    assert texts.send_reminders(bank) == 0, "the voter has not agreed to texts yet"
    agreed = {"kind": "event", "id": later, "agreed": True}
    assert client.post(f"/texts/voters/{voter_id}", json=agreed, headers=headers).status_code == 200

    upkeep.heartbeat(bank)  # the heartbeat sends what is due
    upkeep.heartbeat(bank)
    assert texts.send_reminders(bank) == 0, "once each"
    world.sim.advance(10)
    reminder = outbound(world)[0]
    assert "reminder" in reminder.body and "tomorrow" in reminder.body and reminder.from_ == CALLER_ID
    with world.services.uow() as uow:
        rows = uow.session.exec(
            select(TextMessage.purpose, TextMessage.target_id, TextMessage.status).order_by(
                col(TextMessage.id)
            )
        ).all()
    assert rows == [("link", later, "delivered"), ("reminder", tomorrow, "delivered")]


def test_erasing_the_voter_keeps_the_count_of_texts_and_drops_the_provider_ids_and_the_number(world):
    campaign_id, client, _, voter_id, _ = talk_to_the_voter(world)
    event_id = make.event(world.services, campaign_id, starts_in=timedelta(days=3))
    headers = csrf_headers(client)
    client.post(f"/signups/voters/{voter_id}", json={"kind": "event", "id": event_id}, headers=headers)
    agreed = {"kind": "event", "id": event_id, "agreed": True}
    assert client.post(f"/texts/voters/{voter_id}", json=agreed, headers=headers).status_code == 200
    world.sim.text(CALLER_ID, from_=VOTER, body="STOP")
    services = world.services
    held = data_protection.export_voter(services.uow(), services.clock, SYSTEM, voter_id)
    assert [t["purpose"] for t in held["texts"]] == ["link"] and len(held["text_consents"]) == 1
    assert [o["phone_e164"] for o in held["text_opt_outs"]] == [VOTER]
    data_protection.erase_voter(
        services.uow(),
        services.clock,
        SYSTEM,
        voter_id,
        number_key=services.number_key,
        queue=services.phone_bank.queue,
    )
    with services.uow() as uow:
        assert uow.session.exec(select(TextMessage.provider_sid)).all() == [None]
        assert uow.session.exec(select(TextOptOut)).all() == []
    assert texts.dashboard_figures(services.phone_bank, campaign_id)["sent"] == 1


def test_the_link_text_uses_the_campaigns_own_wording(world):
    campaign_id, client, _, voter_id, _ = talk_to_the_voter(world)
    event_id = make.event(world.services, campaign_id, starts_in=timedelta(days=3))
    boots = {(Purpose.LINK, SignupKind.EVENT): "Bring boots to {title}!"}
    texts.set_wordings(world.services.uow(), world.services.clock, SYSTEM, campaign_id, boots)
    headers = csrf_headers(client)
    client.post(f"/signups/voters/{voter_id}", json={"kind": "event", "id": event_id}, headers=headers)
    agreed = {"kind": "event", "id": event_id, "agreed": True}
    assert client.post(f"/texts/voters/{voter_id}", json=agreed, headers=headers).status_code == 200
    [message] = outbound(world)
    assert message.body.startswith("Westminster phone bank: Bring boots to Door-knocking ")
    assert message.body.endswith("Reply STOP to opt out.")


def test_delivery_reports_only_move_a_text_on_whatever_order_they_arrive_in(bank):
    campaign_id = make_campaign(bank, voters=1, open_now=False)
    with bank.uow() as uow:
        text = TextMessage(
            campaign_id=campaign_id, purpose="link", kind="event", target_id=1, once_key="k", link_token="t",
            created_at=bank.clock.now(),
        )  # fmt: skip
        uow.session.add(text)
        uow.commit()
        text_id = text.id or 0

    def seen() -> tuple[str | None, str, int | None]:
        with bank.uow() as uow:
            row = uow.session.get(TextMessage, text_id)
            return row.provider_sid, row.status, row.error_code

    sid = "SM" + "1" * 32
    texts.on_status(bank, text_id, sid, "sent", None)  # before the reply to the send was stored
    assert seen() == (sid, "sent", None)
    texts.on_status(bank, text_id, "SM" + "2" * 32, "delivered", None)  # another message's report
    texts.on_status(bank, text_id, sid, "queued", None)  # late
    assert seen() == (sid, "sent", None)
    texts.on_status(bank, text_id, sid, "undelivered", 30006)
    texts.on_status(bank, text_id, sid, "delivered", None)  # after the final status
    assert seen() == (sid, "undelivered", 30006)
