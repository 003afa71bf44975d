"""The simulator as its own process (`dialer simulator`), reached over real HTTP as Twilio would be."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from flask import Flask, request
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from dialer.adapters.twilio_client import make_client, telephony_probe
from dialer.cli import _simulator_process
from dialer.config import Settings
from tests.parallel_workers import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def simulated() -> Iterator[Settings]:
    port = free_port()
    settings = Settings(simulator_url=f"http://127.0.0.1:{port}", twilio_caller_id="+442079460005")
    args, env = _simulator_process(settings, "127.0.0.1", port, cps=50, speed=20)
    process = subprocess.Popen(args, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{settings.simulator_url}/_sim/health", timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or too busy starting
                assert process.poll() is None, "the simulator exited"
                time.sleep(0.1)
        yield settings
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def control(simulated: Settings):
    session = requests.Session()
    session.auth = (simulated.account_sid, simulated.auth_token)
    base = simulated.simulator_url
    session.post(f"{base}/_sim/reset").raise_for_status()
    return lambda method, path, **kw: session.request(method, f"{base}/_sim{path}", **kw)


class Receiver:
    """A real HTTP server for the simulator's webhooks, checking each signature."""

    def __init__(self, token: str) -> None:
        self.app = Flask("receiver")
        self.received: list[tuple[str, dict[str, str], bool]] = []
        self.done = threading.Event()
        validator = RequestValidator(token)

        @self.app.post("/<path:path>")
        def hook(path: str) -> tuple[str, int, dict[str, str]]:
            ok = validator.validate(request.url, request.form, request.headers.get("X-Twilio-Signature", ""))
            self.received.append((path, request.form.to_dict(), ok))
            if request.form.get("CallStatus") == "completed" and path == "status":
                self.done.set()
            return '<Response><Pause length="30"/></Response>', 200, {"Content-Type": "text/xml"}

        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_the_products_telephony_probe_sees_the_simulators_caller_ids(simulated, control):
    result = telephony_probe(make_client(simulated), "simulator")
    assert result.ok and "4 caller ID(s)" in result.detail


def test_a_call_runs_end_to_end_over_http_with_signed_webhooks(simulated, control):
    receiver = Receiver(simulated.auth_token)
    try:
        control("PUT", "/behaviours/+447700900001", json={"kind": "answer", "ring_s": 2, "hangup_after_s": 4})
        client = make_client(simulated)
        call = client.calls.create(
            to="+447700900001",
            from_=simulated.twilio_caller_id,
            url=f"{receiver.url}/voice",
            status_callback=f"{receiver.url}/status",
            status_callback_event=["initiated", "ringing", "answered", "completed"],
        )
        assert receiver.done.wait(timeout=20), receiver.received
        statuses = [form["CallStatus"] for path, form, _ in receiver.received if path == "status"]
        assert statuses == ["initiated", "ringing", "in-progress", "completed"]
        assert all(ok for _, _, ok in receiver.received)
        assert client.calls(call.sid).fetch().duration == "4"
        events = control("GET", "/events", params={"call_sid": call.sid}).json()["events"]
        assert "answered" in [event["kind"] for event in events]
    finally:
        receiver.server.shutdown()


def test_a_slow_response_trips_the_products_own_http_timeout(simulated, control):
    control("POST", "/faults", json={"kind": "rest_slow", "delay_s": 2.0}).raise_for_status()
    client = make_client(simulated)
    impatient = client.__class__(
        simulated.account_sid, simulated.auth_token, http_client=TwilioHttpClient(timeout=0.3), environment={}
    )
    impatient.api.base_url = simulated.simulator_url
    with pytest.raises(requests.exceptions.ReadTimeout):
        impatient.incoming_phone_numbers.list()
    control("DELETE", "/faults")


def test_the_control_plane_injects_rest_faults_and_needs_the_accounts_credentials(simulated, control):
    assert requests.get(f"{simulated.simulator_url}/_sim/events").status_code == 401
    assert control("POST", "/faults", json={"kind": "rest_429"}).status_code == 201
    with pytest.raises(TwilioRestException) as failure:
        make_client(simulated).calls.create(
            to="+447700900001", from_=simulated.twilio_caller_id, twiml="<Response/>"
        )
    assert failure.value.code == 20429
    refused = control("POST", "/faults", json={"kind": "gremlins"})
    assert refused.status_code == 400 and "unknown fault kind" in refused.json()["error"]
    assert control("POST", "/clock/advance", json={"seconds": 5}).status_code == 400


def test_secrets_reach_the_simulator_through_its_environment_only():
    settings = Settings(twilio_account_sid="", twilio_auth_token="")
    args, env = _simulator_process(settings, "127.0.0.1", 5999)
    assert settings.auth_token not in " ".join(args) and settings.api_key_secret not in " ".join(args)
    assert env["SIMULATOR_AUTH_TOKEN"] == settings.auth_token
    assert os.environ.get("SIMULATOR_AUTH_TOKEN") is None
