"""Acceptance 3: every webhook is signed exactly as Twilio signs; a tampered one fails validation."""

from __future__ import annotations

from twilio.request_validator import RequestValidator

from dialer.simulator import Behaviour
from dialer.simulator.webhooks import Signer
from tests.simulator.conftest import AUTH_TOKEN, CALLER_ID, dial, url


def test_the_signer_reproduces_twilios_documented_example():
    # The example from Twilio's "Webhooks security" page (auth token 12345).
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    request = Signer("12345").request("POST", "https://mycompany.com/myapp.php?foo=1&bar=2", params)
    assert request.headers["X-Twilio-Signature"] == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_every_kind_of_webhook_validates_and_tampering_breaks_it(sim, twilio, product):
    sim.set_behaviour("+447700900001", Behaviour.answer(ring=2, talk=20, digits="1", digits_after_s=1))
    sim.set_behaviour("+447700900002", Behaviour.machine(ring=3, greeting=8))
    sim.set_behaviour("+447700900003", Behaviour.answer(ring=1, talk=5))
    product.twiml["/voice"] = (
        "<Response><Gather numDigits='1' action='/pressed'><Say>Press one</Say></Gather></Response>"
    )
    product.twiml["/pressed"] = "<Response><Redirect method='GET'>/seat</Redirect></Response>"
    product.twiml["/seat"] = (
        "<Response><Dial action='/after-dial'><Number>+447700900003</Number></Dial>"
        "<Dial><Conference statusCallback='/conference' statusCallbackEvent='start end join leave'>"
        "seat-1</Conference></Dial></Response>"
    )
    product.twiml["/machine"] = "<Response><Pause length='30'/></Response>"
    dial(twilio, "+447700900001", fallback_url=url("/fallback"))
    dial(
        twilio,
        "+447700900002",
        url=url("/machine"),
        machine_detection="Enable",
        async_amd="true",
        async_amd_status_callback=url("/amd"),
    )
    sim.run_until_idle()

    paths = {item.path for item in product.received}
    assert {"/status", "/voice", "/pressed", "/seat", "/after-dial", "/machine", "/amd"} <= paths
    validator = RequestValidator(AUTH_TOKEN)
    for item in product.received:
        assert item.valid, f"{item.method} {item.path} failed validation"
        form = item.form if item.method == "POST" else {}
        assert validator.validate(item.url, form, item.signature)
        if form:
            tampered = dict(form, CallSid="CA" + "f" * 32)
            assert not validator.validate(item.url, tampered, item.signature)
        assert not validator.validate(item.url.replace("product.test", "evil.test"), form, item.signature)
        assert not RequestValidator("another-token").validate(item.url, form, item.signature)
    assert [item.method for item in product.at("/seat")] == ["GET"]


def test_a_tampered_request_is_refused_by_the_products_check(sim, twilio, product):
    sim.set_behaviour("+447700900001", Behaviour.busy(after=1))
    call = dial(twilio, "+447700900001")
    sim.advance(5)
    assert product.call_statuses(call.sid) == ["initiated", "busy"]
    assert all(item.valid for item in product.received)
    original = product.at("/status")[-1]
    validator = RequestValidator(AUTH_TOKEN)
    assert not validator.validate(
        original.url, dict(original.form, CallStatus="completed"), original.signature
    )
    assert original.form["From"] == CALLER_ID
