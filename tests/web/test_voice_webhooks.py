"""Twilio's webhooks: forged requests are refused; the answer webhook returns a seat or the message."""

import pytest
from twilio.request_validator import RequestValidator

from dialer.config import SIMULATOR_AUTH_TOKEN
from tests.integration.test_power_dialing import only_call
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration

BASE = "http://localhost"


@pytest.fixture
def app(dialer_services):
    from web import create_app

    return create_app(services=dialer_services)


def signed_post(client, path, form, *, url=None, token=SIMULATOR_AUTH_TOKEN):
    signature = RequestValidator(token).compute_signature(url or BASE + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature}, buffered=True)


@pytest.fixture
def dialling(bank, clock, telephony):
    campaign = make_campaign(bank, voters=2)
    session_id = ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    return only_call(bank, session_id)


def answer_path(call):
    return f"/voice/answer?call={call.id}&campaign={call.campaign_id}&any_seat=1&seat={call.session_id}"


def test_an_unsigned_webhook_is_refused(client, dialling):
    assert client.post(answer_path(dialling), data={"CallSid": dialling.provider_sid}).status_code == 403


def test_a_webhook_signed_with_another_token_is_refused(client, dialling):
    reply = signed_post(
        client, answer_path(dialling), {"CallSid": dialling.provider_sid}, token="not-our-token"
    )
    assert reply.status_code == 403


def test_a_valid_signature_for_another_url_is_refused(client, dialling):
    form = {"CallSid": dialling.provider_sid}
    other = BASE + f"/voice/answer?call={dialling.id + 1}&campaign={dialling.campaign_id}&any_seat=1"
    assert signed_post(client, answer_path(dialling), form, url=other).status_code == 403


def test_tampered_parameters_are_refused(client, dialling):
    path = f"/voice/status?call={dialling.id}"
    signature = RequestValidator(SIMULATOR_AUTH_TOKEN).compute_signature(
        BASE + path, {"CallSid": dialling.provider_sid, "CallStatus": "ringing"}
    )
    reply = client.post(
        path,
        data={"CallSid": dialling.provider_sid, "CallStatus": "completed"},
        headers={"X-Twilio-Signature": signature},
    )
    assert reply.status_code == 403


def test_every_webhook_checks_signatures(client):
    for path in [
        "/voice/answer?call=1&campaign=1",
        "/voice/status?call=1",
        "/voice/conference?seat=1",
        "/voice/volunteer",
        "/voice/volunteer/answer?seat=1",
        "/voice/volunteer/confirm?seat=1",
        "/voice/volunteer/status?seat=1",
        "/voice/machine-result?call=1",
    ]:
        assert client.post(path, data={"CallSid": "CA1"}).status_code == 403, path


def test_the_answer_webhook_joins_the_voter_to_the_reserved_seat(client, dialling, bank):
    reply = signed_post(
        client, answer_path(dialling), {"CallSid": dialling.provider_sid, "CallStatus": "in-progress"}
    )
    assert reply.status_code == 200 and reply.mimetype == "text/xml"
    body = reply.get_data(as_text=True)
    with bank.uow() as uow:
        from dialer.models import CallingSession

        conference = uow.session.get(CallingSession, dialling.session_id).conference_name
    assert f">{conference}</Conference>" in body
    assert f"/voice/conference?seat={dialling.session_id}" in body


def test_a_repeated_answer_webhook_joins_the_same_seat_and_takes_no_other(client, bank, clock):
    campaign = make_campaign(bank, voters=1)
    first = ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    call = only_call(bank, first)
    second = ready_seat(bank, make_volunteer(bank, "Kim"), campaign)  # ready, with nobody left to ring
    form = {"CallSid": call.provider_sid, "CallStatus": "in-progress"}

    replies = [signed_post(client, answer_path(call), form).get_data(as_text=True) for _ in range(2)]

    assert replies[0] == replies[1], "the same TwiML both times"
    with bank.uow() as uow:
        from dialer.models import CallAttempt, CallingSession

        assert f">{uow.session.get(CallingSession, first).conference_name}</Conference>" in replies[1]
        assert uow.session.get(CallingSession, second).state.value == "ready"
        assert uow.session.get(CallAttempt, call.id).session_id == first
    assert bank.seats.get(second).state.value == "ready", "the other volunteer is still free"
    assert bank.tally.read(campaign).figures["all|connects"] == 1


def test_with_no_free_seat_the_answer_webhook_plays_the_information_message(client, dialling, bank):
    from dialer.services.calling import sessions

    with bank.uow() as uow:
        from dialer.models import CallingSession

        user_id = uow.session.get(CallingSession, dialling.session_id).user_id
    sessions.end_session(bank, user_id, dialling.session_id)
    reply = signed_post(client, answer_path(dialling), {"CallSid": dialling.provider_sid})
    body = reply.get_data(as_text=True)
    assert "<Say" in body and "Westminster phone bank" in body and "<Hangup" in body
    assert "<Conference" not in body


def test_an_answer_detection_heard_as_a_machine_is_hung_up_on_without_a_seat_or_a_message(
    client, dialling, bank
):
    form = {"CallSid": dialling.provider_sid, "CallStatus": "in-progress", "AnsweredBy": "machine_start"}
    body = signed_post(client, answer_path(dialling), form).get_data(as_text=True)

    assert "<Hangup" in body and "<Say" not in body and "<Conference" not in body
    assert bank.seats.get(dialling.session_id).state.value == "dialing"


def test_a_repeated_answer_for_an_abandoned_call_plays_the_message_again_and_takes_no_seat(
    client, dialling, bank
):
    from dialer.services.calling import sessions

    with bank.uow() as uow:
        from dialer.models import CallingSession

        user_id = uow.session.get(CallingSession, dialling.session_id).user_id
    sessions.end_session(bank, user_id, dialling.session_id)
    form = {"CallSid": dialling.provider_sid, "CallStatus": "in-progress"}
    first = signed_post(client, answer_path(dialling), form).get_data(as_text=True)
    kim = ready_seat(bank, make_volunteer(bank, "Kim"), dialling.campaign_id)  # free only now
    second = signed_post(client, answer_path(dialling), form).get_data(as_text=True)

    assert first == second and "<Say" in second and "<Conference" not in second
    assert bank.seats.get(kim).state.value == "ready"
    assert bank.tally.read(dialling.campaign_id).figures["all|abandoned"] == 1


def test_when_redis_fails_after_the_answer_commits_twilio_still_joins_the_voter_and_the_figures_catch_up(
    client, dialling, bank, caplog, monkeypatch
):
    from redis.exceptions import ConnectionError as RedisDown

    from dialer.models import CallAttempt, CallingSession, Campaign
    from dialer.services.calling import dashboard, upkeep

    def redis_is_down(*_args, **_kwargs):
        raise RedisDown("Connection refused")

    monkeypatch.setattr(bank.tally, "add", redis_is_down)  # the counting after the commit
    monkeypatch.setattr(bank.live, "publish", redis_is_down)  # and the screens' events
    form = {"CallSid": dialling.provider_sid, "CallStatus": "in-progress"}

    reply = signed_post(client, answer_path(dialling), form)

    assert reply.status_code == 200
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, dialling.session_id)
        call = uow.session.get(CallAttempt, dialling.id)
        assert f">{seat.conference_name}</Conference>" in reply.get_data(as_text=True)
        assert seat.state.value == "connected" and seat.current_call_id == call.id
        assert call.status.value == "in-progress" and call.connected_at is not None
        assert uow.session.get(Campaign, dialling.campaign_id).figures_behind_since is not None
    (line,) = [r.getMessage() for r in caplog.records if "answer.follow_up_failed" in r.getMessage()]
    assert f"call={dialling.id} seat={dialling.session_id}" in line
    assert "+44" not in line and "07700" not in line, "no phone number in the log"

    monkeypatch.undo()  # Redis is back: the next heartbeat recounts from SQL
    upkeep.heartbeat(bank)

    with bank.uow() as uow:
        recount = dashboard.recount(uow.session, dialling.campaign_id)
        assert uow.session.get(Campaign, dialling.campaign_id).figures_behind_since is None
    live = {name: n for name, n in bank.tally.read(dialling.campaign_id).figures.items() if n}
    assert live == recount and live["all|connects"] == 1


def test_status_callbacks_apply_once_and_duplicates_are_harmless(client, dialling, bank):
    path = f"/voice/status?call={dialling.id}"
    form = {
        "CallSid": dialling.provider_sid,
        "CallStatus": "busy",
        "SequenceNumber": "2",
        "To": "+447700900000",
    }
    assert signed_post(client, path, form).status_code == 204
    assert signed_post(client, path, form).status_code == 204
    with bank.uow() as uow:
        from sqlmodel import select

        from dialer.models import CallEvent

        events = uow.session.exec(select(CallEvent)).all()
    assert len(events) == 1
    assert "To" not in events[0].payload, "the voter's number is not kept with the event"


def test_a_repeated_and_a_late_status_callback_each_leave_one_log_line_with_the_call_and_seat(
    client, dialling, bank, caplog
):
    caplog.set_level("INFO", logger="dialer.services.calling.call_events")
    path = f"/voice/status?call={dialling.id}"
    done = {
        "CallSid": dialling.provider_sid,
        "CallStatus": "busy",
        "SequenceNumber": "3",
        "To": "+447700900000",
    }
    late = done | {"CallStatus": "ringing", "SequenceNumber": "1"}

    for form in (done, done, late):
        assert signed_post(client, path, form).status_code == 204

    lines = [r.getMessage() for r in caplog.records if r.name == "dialer.services.calling.call_events"]
    where = f"call={dialling.id} seat={dialling.session_id}"
    assert [line.split()[0] for line in lines] == ["status.duplicate", "status.stale"]
    assert all(where in line and "+44" not in line for line in lines)


def test_the_public_base_url_is_what_signatures_are_checked_against(app, client, dialling, dialer_services):
    from dataclasses import replace

    behind_proxy = dialer_services.settings.model_copy(
        update={"public_base_url": "https://calls.example.org"}
    )
    app.extensions["marginal"] = replace(dialer_services, settings=behind_proxy)
    form = {"CallSid": dialling.provider_sid}
    assert signed_post(client, answer_path(dialling), form).status_code == 403
    proxied = "https://calls.example.org" + answer_path(dialling)
    assert signed_post(client, answer_path(dialling), form, url=proxied).status_code == 200


def test_a_held_voter_hears_that_their_caller_will_be_right_back_and_the_message_repeats(client, dialling):
    path = f"/voice/hold?seat={dialling.session_id}"
    assert client.post(path, data={}).status_code == 403, "signed like every webhook"
    reply = signed_post(client, path, {"CallSid": dialling.provider_sid})
    assert reply.status_code == 200 and reply.mimetype == "text/xml"
    twiml = reply.get_data(as_text=True)
    assert "<Say" in twiml and "right back" in twiml and "<Pause" in twiml
    assert f">{BASE}{path}</Redirect>" in twiml


def test_a_signed_machine_verdict_for_a_call_nobody_talks_to_hangs_it_up(client, dialling, bank, telephony):
    path = f"/voice/machine-result?call={dialling.id}"
    form = {
        "CallSid": dialling.provider_sid,
        "AnsweredBy": "machine_start",
        "MachineDetectionDuration": "3600",
    }
    assert client.post(path, data=form).status_code == 403, "signed like every webhook"

    assert signed_post(client, path, form).status_code == 204

    assert telephony.hung_up == [dialling.provider_sid]
