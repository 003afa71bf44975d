"""An in-process simulator on a simulated clock, and a stand-in product that records every webhook.

The stand-in product checks each webhook's X-Twilio-Signature with twilio-python's RequestValidator
(as the real product does) and answers voice requests with the TwiML a test gives it per path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from flask import Flask, request
from twilio.request_validator import RequestValidator

from dialer.clock import SimClock
from dialer.simulator import Simulator, WsgiTransport

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "simulator-test-token"
API_KEY = "SK" + "0" * 31 + "1"
API_SECRET = "simulator-test-api-secret-of-32-bytes-or-more"
CALLER_ID = "+442079460000"
PRODUCT = "http://product.test"


@dataclass
class Received:
    path: str
    method: str
    url: str
    form: dict[str, str]
    signature: str
    valid: bool


@dataclass
class StandInProduct:
    """The product's side of the contract: answers TwiML by path and records what arrives."""

    app: Flask
    received: list[Received] = field(default_factory=list)
    twiml: dict[str, str] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)

    def at(self, path: str) -> list[Received]:
        return [item for item in self.received if item.path == path]

    def call_statuses(self, call_sid: str, path: str = "/status") -> list[str]:
        return [item.form["CallStatus"] for item in self.at(path) if item.form.get("CallSid") == call_sid]

    def conference_events(self, path: str = "/conference") -> list[str]:
        return [item.form["StatusCallbackEvent"] for item in self.at(path)]


def make_product() -> StandInProduct:
    app = Flask("stand_in_product")
    product = StandInProduct(app)
    validator = RequestValidator(AUTH_TOKEN)

    @app.route("/<path:path>", methods=["GET", "POST"])
    def webhook(path: str):
        form = request.form if request.method == "POST" else request.args
        signature = request.headers.get("X-Twilio-Signature", "")
        product.received.append(
            Received(
                "/" + path,
                request.method,
                request.url,
                form.to_dict(),
                signature,
                validator.validate(request.url, request.form if request.method == "POST" else {}, signature),
            )
        )
        body = product.twiml.get("/" + path, "")
        return body, product.status.get("/" + path, 200), {"Content-Type": "text/xml"}

    return product


@pytest.fixture
def product() -> StandInProduct:
    return make_product()


@pytest.fixture
def sim_clock() -> SimClock:
    return SimClock()


@pytest.fixture
def sim(sim_clock: SimClock, product: StandInProduct) -> Simulator:
    return Simulator(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        api_keys={API_KEY: API_SECRET},
        clock=sim_clock,
        transport=WsgiTransport(product.app),
        cps=1000,
    )


@pytest.fixture
def twilio(sim: Simulator):
    """twilio-python's real Client, talking to the simulator in-process."""
    return sim.rest_client()


def url(path: str) -> str:
    return PRODUCT + path


def dial(twilio, to: str, **options):
    """Place a call the way the product does, subscribed to every progress event."""
    options.setdefault("url", url("/voice"))
    options.setdefault("status_callback", url("/status"))
    options.setdefault("status_callback_event", ["initiated", "ringing", "answered", "completed"])
    return twilio.calls.create(to=to, from_=CALLER_ID, **options)
