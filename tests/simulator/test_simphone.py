"""The browser leg: SimPhone connects with a real Access Token and its call runs the app's TwiML."""

from __future__ import annotations

from datetime import timedelta

import pytest
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from dialer.adapters.voice_tokens import voice_token
from dialer.config import Settings
from dialer.simulator import Behaviour
from dialer.simulator.simphone import NAMESPACE, TokenRejected, verify_token
from tests.simulator.conftest import ACCOUNT_SID, API_KEY, API_SECRET, AUTH_TOKEN, url

SETTINGS = Settings(
    twilio_account_sid=ACCOUNT_SID,
    twilio_auth_token=AUTH_TOKEN,
    twilio_api_key=API_KEY,
    twilio_api_secret=API_SECRET,
    telephony="simulator",
)


@pytest.fixture
def application(twilio, product):
    product.twiml["/browser"] = (
        "<Response><Dial><Conference endConferenceOnExit='true' statusCallback='/conference' "
        "statusCallbackEvent='start end join leave'>seat-42</Conference></Dial></Response>"
    )
    return twilio.applications.create(friendly_name="Marginal", voice_url=url("/browser"))


def events(phone):
    return [(item["name"], item["args"][0]) for item in phone.get_received(NAMESPACE)]


def test_the_products_token_is_accepted_and_its_grant_read():
    identity = verify_token(
        voice_token(SETTINGS, "volunteer-42", application_sid="AP" + "1" * 32),
        ACCOUNT_SID,
        {API_KEY: API_SECRET},
    )
    assert (identity.identity, identity.application_sid, identity.incoming_allowed) == (
        "volunteer-42",
        "AP" + "1" * 32,
        True,
    )


@pytest.mark.parametrize(
    ("secret", "account", "grant", "reason"),
    [
        ("a-guessed-secret-that-is-long-enough-to-sign", ACCOUNT_SID, True, "invalid access token"),
        (API_SECRET, "AC" + "9" * 32, True, "another account"),
        (API_SECRET, ACCOUNT_SID, False, "no VoiceGrant"),
    ],
)
def test_forged_or_foreign_tokens_are_refused(secret, account, grant, reason):
    token = AccessToken(account, API_KEY, secret, identity="volunteer-42")
    if grant:
        token.add_grant(VoiceGrant(outgoing_application_sid="AP" + "1" * 32))
    with pytest.raises(TokenRejected, match=reason):
        verify_token(token.to_jwt(), ACCOUNT_SID, {API_KEY: API_SECRET})


def test_a_simphone_call_joins_the_seat_conference_with_the_pages_params(sim, product, application):
    token = voice_token(SETTINGS, "volunteer-42", application_sid=application.sid)
    phone = sim.socketio.test_client(sim.app, namespace=NAMESPACE, auth={"token": token})
    assert phone.is_connected(NAMESPACE)

    ack = phone.emit("call", {"params": {"session": "17"}}, namespace=NAMESPACE, callback=True)
    call_sid = ack["call_sid"]
    sim.advance(0)
    voice = product.at("/browser")[0].form
    assert (voice["From"], voice["Direction"], voice["CallStatus"]) == (
        "client:volunteer-42",
        "inbound",
        "ringing",
    )
    assert (voice["session"], voice["ApplicationSid"], voice["CallSid"]) == ("17", application.sid, call_sid)
    assert [name for name, _ in events(phone)] == ["ringing", "accept"]
    assert product.conference_events() == ["participant-join", "conference-start"]

    phone.emit("mute", {"muted": True}, namespace=NAMESPACE)
    sim.advance(0)
    assert events(phone) == [("mute", {"call_sid": call_sid, "muted": True})]

    phone.emit("hangup", namespace=NAMESPACE)
    sim.advance(1)
    assert events(phone) == [("hangup", {"call_sid": call_sid, "status": "completed"})]
    assert product.conference_events()[-2:] == ["participant-leave", "conference-end"]
    phone.disconnect(NAMESPACE)


def test_closing_the_page_hangs_up_its_call(sim, twilio, product, application):
    phone = sim.socketio.test_client(
        sim.app,
        namespace=NAMESPACE,
        auth={"token": voice_token(SETTINGS, "v-1", application_sid=application.sid)},
    )
    call_sid = phone.emit("call", {"params": {}}, namespace=NAMESPACE, callback=True)["call_sid"]
    sim.advance(5)
    assert twilio.calls(call_sid).fetch().status == "in-progress"
    phone.disconnect(NAMESPACE)
    sim.advance(0)
    assert twilio.calls(call_sid).fetch().status == "completed"


def test_a_dialled_client_rings_the_connected_phone_which_can_accept(sim, twilio, product, application):
    phone = sim.socketio.test_client(
        sim.app,
        namespace=NAMESPACE,
        auth={"token": voice_token(SETTINGS, "v-2", application_sid=application.sid)},
    )
    sim.set_behaviour("+447700900001", Behaviour.answer(ring=1, talk=30))
    product.twiml["/voice"] = "<Response><Dial action='/after'><Client>v-2</Client></Dial></Response>"
    product.twiml["/after"] = "<Response><Hangup/></Response>"
    twilio.calls.create(to="+447700900001", from_="+442079460000", url=url("/voice"))
    sim.advance(5)
    (incoming,) = [data for name, data in events(phone) if name == "incoming"]
    assert incoming["from"] == "+442079460000"
    phone.emit("accept", {"call_sid": incoming["call_sid"]}, namespace=NAMESPACE)
    sim.advance(10)
    phone.emit("hangup", namespace=NAMESPACE)
    sim.advance(1)
    after = product.at("/after")[0].form
    assert (after["DialCallStatus"], after["DialCallDuration"]) == ("completed", "10")


def test_a_page_without_a_valid_token_cannot_connect(sim):
    phone = sim.socketio.test_client(sim.app, namespace=NAMESPACE, auth={"token": "not-a-jwt"})
    assert not phone.is_connected(NAMESPACE)


def _on_the_clock(sim, application, identity):
    """A page's token source: a fresh token dated by the simulator's (the product's) clock."""
    return lambda: voice_token(SETTINGS, identity, application_sid=application.sid, now=sim.clock.now())


def test_a_phone_that_renews_its_token_on_the_warning_stays_registered_for_65_minutes(
    sim, twilio, application
):
    token = _on_the_clock(sim, application, "v-renews")
    phone = sim.socketio.test_client(sim.app, namespace=NAMESPACE, auth={"token": token()})
    call_sid = phone.emit("call", {"params": {}}, namespace=NAMESPACE, callback=True)["call_sid"]
    seen = []
    for _ in range(65 * 12):  # the page answers within the 10 s the warning leaves
        sim.advance(5)
        for name, _data in events(phone):
            seen.append((name, sim.clock.now()))
            if name == "tokenWillExpire":
                renewed = phone.emit("updateToken", {"token": token()}, namespace=NAMESPACE, callback=True)
                assert "error" not in renewed, renewed

    names = [name for name, _ in seen]
    assert names.count("tokenWillExpire") == 1 and "error" not in names
    assert twilio.calls(call_sid).fetch().status == "in-progress", "the call went on through the renewal"
    phone.emit("hangup", namespace=NAMESPACE)
    sim.advance(1)
    assert sim.phones.registered("v-renews") is not None, "still reachable after 65 minutes"
    again = phone.emit("call", {"params": {}}, namespace=NAMESPACE, callback=True)
    assert "call_sid" in again
    phone.disconnect(NAMESPACE)


def test_a_phone_whose_token_runs_out_is_told_and_unregistered_but_its_call_goes_on(sim, twilio, application):
    token = _on_the_clock(sim, application, "v-forgets")
    phone = sim.socketio.test_client(sim.app, namespace=NAMESPACE, auth={"token": token()})
    call_sid = phone.emit("call", {"params": {}}, namespace=NAMESPACE, callback=True)["call_sid"]
    sim.advance(3600 - 11)
    assert [name for name, _ in events(phone) if name != "accept" and name != "ringing"] == []
    sim.advance(2)
    assert [name for name, _ in events(phone)] == ["tokenWillExpire"], "10 s before expiry, as the Voice SDK"
    sim.advance(10)

    assert events(phone) == [
        ("error", {"code": 20104, "message": "AccessTokenExpired: the access token has expired"})
    ]
    assert twilio.calls(call_sid).fetch().status == "in-progress"
    phone.emit("hangup", namespace=NAMESPACE)
    sim.advance(1)
    assert sim.phones.registered("v-forgets") is None, "nobody can ring it"
    refused = phone.emit("call", {"params": {}}, namespace=NAMESPACE, callback=True)
    assert "20104" in refused["error"]
    late = phone.emit("updateToken", {"token": token()}, namespace=NAMESPACE, callback=True)
    assert "error" not in late and sim.phones.registered("v-forgets") is not None, (
        "a fresh token registers it again"
    )
    phone.disconnect(NAMESPACE)


def test_an_expired_or_foreign_token_is_refused_as_a_renewal(sim, application):
    phone = sim.socketio.test_client(
        sim.app, namespace=NAMESPACE, auth={"token": _on_the_clock(sim, application, "v-5")()}
    )
    stale = voice_token(
        SETTINGS, "v-5", application_sid=application.sid, now=sim.clock.now() - timedelta(hours=2)
    )
    assert (
        "expired" in phone.emit("updateToken", {"token": stale}, namespace=NAMESPACE, callback=True)["error"]
    )
    other = _on_the_clock(sim, application, "v-6")()
    assert (
        "another identity"
        in phone.emit("updateToken", {"token": other}, namespace=NAMESPACE, callback=True)["error"]
    )
    phone.disconnect(NAMESPACE)


def test_a_softphone_call_ends_at_twilios_four_hour_maximum_unless_an_update_gives_it_longer(
    sim, twilio, application
):
    phone = sim.socketio.test_client(
        sim.app,
        namespace=NAMESPACE,
        auth={"token": voice_token(SETTINGS, "v-6", application_sid=application.sid)},
    )
    cut = phone.emit("call", {"params": {}}, namespace=NAMESPACE, callback=True)["call_sid"]
    sim.advance(4 * 3600 - 5)
    events(phone)
    assert twilio.calls(cut).fetch().status == "in-progress"

    sim.advance(10)

    assert twilio.calls(cut).fetch().status == "completed"
    (ended,) = sim.events(kind="ended", call_sid=cut)
    assert ended.data["by"] == "time-limit"
    assert [name for name, _ in events(phone)] == ["hangup"], "the page is told its call is over"

    kept = phone.emit("call", {"params": {}}, namespace=NAMESPACE, callback=True)["call_sid"]
    sim.advance(3 * 3600)
    twilio.calls(kept).update(time_limit=8 * 3600)
    sim.advance(3600 + 5)
    assert twilio.calls(kept).fetch().status == "in-progress", "a TimeLimit update holds for it too"
    phone.disconnect(NAMESPACE)
