"""phone.js in headless Chromium: SimPhone against a live simulator, TwilioPhone over the Voice SDK.

A test-only page (served by a tiny Flask app here; the real calling page comes with the dialer)
loads the vendored Socket.IO client and Voice SDK, web/static/js/phone.js and a script driving it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask, send_from_directory
from werkzeug.serving import make_server

from dialer.adapters.voice_tokens import voice_token
from dialer.clock import RealTimeScheduler, SystemClock
from dialer.config import Settings
from dialer.simulator import Simulator, WsgiTransport
from tests.browser.conftest import LiveServer
from tests.simulator.conftest import (
    ACCOUNT_SID,
    API_KEY,
    API_SECRET,
    AUTH_TOKEN,
    StandInProduct,
    make_product,
)

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings(
    twilio_account_sid=ACCOUNT_SID,
    twilio_auth_token=AUTH_TOKEN,
    twilio_api_key=API_KEY,
    twilio_api_secret=API_SECRET,
    telephony="simulator",
)
SEAT = (
    "<Response><Dial><Conference endConferenceOnExit='true' statusCallback='/conference' "
    "statusCallbackEvent='start end join leave'>seat-42</Conference></Dial></Response>"
)

PAGE = """<!doctype html>
<html lang="en"><head><title>phone.js test page</title>
<script src="/vendor/socket.io.min.js"></script>
<script src="/vendor/twilio.min.js"></script>
<script src="/phone.js"></script>
</head>
<body data-token="{token}" data-simulator="{simulator}">
<p id="state">idle</p><pre id="log"></pre>
<button id="call">Call</button><button id="mute">Mute</button><button id="hangup">Hang up</button>
<script src="/page.js"></script>
</body></html>"""

PAGE_JS = """
const body = document.body;
const phone = MarginalPhone.create({backend: "simulator", token: body.dataset.token,
                                    simulatorUrl: body.dataset.simulator});
const show = (text) => {
  document.getElementById("state").textContent = text;
  document.getElementById("log").textContent += text + "\\n";
};
phone.on("ringing", () => show("ringing"))
  .on("accept", ({callSid}) => show("connected " + callSid))
  .on("mute", ({muted}) => show(muted ? "muted" : "unmuted"))
  .on("disconnect", () => show("ended"))
  .on("error", ({message}) => show("error: " + message));
document.getElementById("call").addEventListener("click",
  () => phone.connect({session: "42"}).catch((e) => show("failed: " + e.message)));
document.getElementById("mute").addEventListener("click", () => phone.mute(!phone.muted));
document.getElementById("hangup").addEventListener("click", () => phone.disconnect());
"""


@dataclass
class LiveSimulator:
    sim: Simulator
    product: StandInProduct
    url: str
    application_sid: str


@pytest.fixture
def live_simulator() -> Iterator[LiveSimulator]:
    product = make_product()
    product.twiml["/browser"] = SEAT
    scheduler = RealTimeScheduler(SystemClock()).start()
    sim = Simulator(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        api_keys={API_KEY: API_SECRET},
        clock=scheduler.clock,
        scheduler=scheduler,
        transport=WsgiTransport(product.app),
    )
    server = make_server("127.0.0.1", 0, sim.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    application = sim.rest_client().applications.create(voice_url="http://product.test/browser")
    try:
        yield LiveSimulator(sim, product, f"http://127.0.0.1:{server.server_port}", application.sid)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        sim.close()


def page_server(token: str, simulator_url: str) -> LiveServer:
    app = Flask("phone_page")

    @app.get("/")
    def index() -> str:
        return PAGE.format(token=token, simulator=simulator_url)

    @app.get("/page.js")
    def page_js() -> tuple[str, int, dict[str, str]]:
        return PAGE_JS, 200, {"Content-Type": "text/javascript"}

    @app.get("/phone.js")
    def phone_js():
        return send_from_directory(ROOT / "web" / "static" / "js", "phone.js")

    @app.get("/vendor/<name>")
    def vendor(name: str):
        from web.vendor import FILES, NODE_MODULES

        return send_from_directory(NODE_MODULES, FILES[name])

    return LiveServer(app).start()


def test_simphone_connects_the_volunteer_to_their_seat_mutes_and_hangs_up(page, live_simulator):
    token = voice_token(SETTINGS, "volunteer-42", application_sid=live_simulator.application_sid)
    server = page_server(token, live_simulator.url)
    try:
        page.goto(server.url)
        page.click("#call")
        page.wait_for_function("document.getElementById('state').textContent.startsWith('connected CA')")
        call_sid = page.text_content("#state").split()[-1]
        voice = live_simulator.product.at("/browser")[0].form
        assert (voice["From"], voice["session"], voice["CallSid"]) == ("client:volunteer-42", "42", call_sid)

        page.click("#mute")
        page.wait_for_function("document.getElementById('state').textContent === 'muted'")
        page.click("#hangup")
        page.wait_for_function("document.getElementById('state').textContent === 'ended'")
        assert page.text_content("#log").split("\n")[:4] == [
            "ringing",
            f"connected {call_sid}",
            "muted",
            "ended",
        ]
        twilio = live_simulator.sim.rest_client()
        assert twilio.calls(call_sid).fetch().status == "completed"
        conference = twilio.conferences.list(friendly_name="seat-42")[0]
        assert (conference.status, conference.reason_conference_ended) == (
            "completed",
            "participant-with-end-conference-on-exit-left",
        )
    finally:
        server.stop()


def test_simphone_reports_a_refused_token(page, live_simulator):
    server = page_server("forged.token.value", live_simulator.url)
    try:
        page.goto(server.url)
        page.wait_for_function("document.getElementById('state').textContent.startsWith('error')")
        assert re.search(r"invalid access token", page.text_content("#state") or "")
    finally:
        server.stop()


def test_twilio_phone_drives_the_voice_sdk_through_the_same_interface(page, live_simulator):
    server = page_server("unused", live_simulator.url)
    try:
        page.goto(server.url)
        assert page.evaluate("typeof Twilio.Device") == "function"
        outcome = page.evaluate(
            """async () => {
              const seen = [];
              class FakeCall {
                constructor(params) { this.handlers = {}; this.parameters = {CallSid: "CA" + "1".repeat(32)};
                                      this.sent = params; this.muted = null; }
                on(event, handler) { this.handlers[event] = handler; }
                fire(event, arg) { this.handlers[event] && this.handlers[event](arg); }
                mute(value) { this.muted = value; this.fire("mute", value); }
                disconnect() { this.fire("disconnect"); }
              }
              class FakeDevice {
                constructor(token, options) { this.token = token; this.options = options; this.handlers = {}; }
                on(event, handler) { this.handlers[event] = handler; }
                register() { this.registered = true; }
                async connect({params}) {
                  this.call = new FakeCall(params);
                  setTimeout(() => { this.call.fire("ringing"); this.call.fire("accept"); }, 0);
                  return this.call;
                }
              }
              const phone = new MarginalPhone.TwilioPhone({token: "a-token", Device: FakeDevice});
              phone.on("ringing", () => seen.push("ringing")).on("accept", (d) => seen.push("accept " + d.callSid))
                   .on("mute", (d) => seen.push("mute " + d.muted)).on("disconnect", () => seen.push("disconnect"));
              const sid = await phone.connect({session: "7"});
              phone.mute(true);
              phone.disconnect();
              return {sid, seen, params: phone.device.call.sent, token: phone.device.token,
                      registered: phone.device.registered};
            }"""
        )
        assert outcome["sid"] == "CA" + "1" * 32
        assert outcome["seen"] == ["ringing", f"accept {outcome['sid']}", "mute true", "disconnect"]
        assert outcome["params"] == {"session": "7"} and outcome["token"] == "a-token"
        assert outcome["registered"] is True
    finally:
        server.stop()
