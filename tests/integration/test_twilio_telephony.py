"""The Twilio adapter speaks Twilio's REST API through twilio-python, and maps its errors to retry or not."""

import json
import logging

import jwt
import pytest
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from dialer.adapters.twilio_telephony import TwilioTelephony, render
from dialer.config import Settings
from dialer.domain.call_control import Goodbye, OptOutOffer
from dialer.errors import TelephonyError
from dialer.ports import OutboundCall

pytestmark = pytest.mark.integration

ACCOUNT = "AC" + "1" * 32
CALL = {"sid": "CA" + "a" * 32, "status": "queued", "duration": None, "answered_by": None}


class RecordingHttp(HttpClient):  # type: ignore[misc]
    """Answers like Twilio would, and keeps every request twilio-python made."""

    def __init__(self, replies):
        super().__init__(logging.getLogger("twilio-test"), False)
        self.replies = list(replies)
        self.requests = []

    def request(
        self,
        method,
        url,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        self.requests.append((method, url, data))
        status, body = self.replies.pop(0)
        return Response(status, json.dumps(body))


def telephony(replies):
    http = RecordingHttp(replies)
    client = Client(ACCOUNT, "token", http_client=http, environment={})
    settings = Settings(twilio_account_sid=ACCOUNT, twilio_auth_token="token", twilio_api_key="SK" + "2" * 32,
                        twilio_api_secret="s" * 40, twilio_twiml_app_sid="AP" + "3" * 32)  # fmt: skip
    return TwilioTelephony(client, settings, softphone_url="https://x.test/voice/volunteer"), http


def test_placing_a_call_sends_the_callbacks_and_ring_timeout():
    adapter, http = telephony([(201, CALL)])
    sid = adapter.place_call(
        OutboundCall(
            "+447700900001",
            "+442079460000",
            "https://x.test/answer?call=1",
            "https://x.test/status?call=1",
            25,
        )
    )
    method, url, data = http.requests[0]
    assert sid == CALL["sid"]
    assert (method, url) == ("POST", f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Calls.json")
    assert data["To"] == "+447700900001" and data["From"] == "+442079460000"
    assert (
        data["Url"] == "https://x.test/answer?call=1"
        and data["StatusCallback"] == "https://x.test/status?call=1"
    )
    assert data["Timeout"] == 25
    # not "initiated": the REST reply already said the call was placed (a callback per call saved)
    assert data["StatusCallbackEvent"] == ["ringing", "answered", "completed"]
    assert "MachineDetection" not in data and "MachineDetectionTimeout" not in data


def test_a_call_with_machine_detection_asks_twilio_to_classify_the_answer_while_the_call_goes_on():
    adapter, http = telephony([(201, CALL)])
    adapter.place_call(
        OutboundCall(
            "+447700900001",
            "+442079460000",
            "https://a",
            "https://s",
            25,
            machine_detection_s=4,
            machine_result_url="https://m",
        )
    )
    _, _, data = http.requests[0]
    assert data["MachineDetection"] == "Enable" and data["MachineDetectionTimeout"] == 4
    assert data["AsyncAmd"] == "true", "asynchronous: the answer webhook runs at the answer (Ofcom's 2 s)"
    assert (data["AsyncAmdStatusCallback"], data["AsyncAmdStatusCallbackMethod"]) == ("https://m", "POST")


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [(429, 20429, True), (503, 20503, True), (500, None, True), (400, 21211, False), (401, 20003, False)],
)
def test_provider_errors_say_whether_to_retry(status, code, retryable):
    adapter, _ = telephony([(status, {"code": code, "message": "nope", "status": status})])
    with pytest.raises(TelephonyError) as raised:
        adapter.place_call(OutboundCall("+447700900001", "+442079460000", "https://a", "https://s", 25))
    assert raised.value.retryable is retryable and raised.value.code == code


def test_hanging_up_redirecting_and_fetching_use_the_call_resource():
    done = {**CALL, "status": "completed", "duration": "42"}
    adapter, http = telephony([(200, done), (200, done), (200, done)])
    adapter.hang_up(CALL["sid"])
    adapter.redirect(CALL["sid"], Goodbye("Bye"))
    fetched = adapter.fetch_call(CALL["sid"])
    assert http.requests[0][2] == {"Status": "completed"}
    assert "<Say" in http.requests[1][2]["Twiml"]
    assert http.requests[2][0] == "GET"
    assert (fetched.status, fetched.duration_s) == ("completed", 42)


def test_the_softphone_token_grants_outgoing_calls_through_the_twiml_app():
    adapter, _ = telephony([])
    token = adapter.softphone_token("volunteer-7")
    claims = jwt.decode(token, "s" * 40, algorithms=["HS256"])
    assert claims["grants"]["identity"] == "volunteer-7"
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == "AP" + "3" * 32


def test_the_opt_out_offer_gathers_one_key_for_its_action_and_says_goodbye_if_none_comes():
    twiml = render(OptOutOffer("This is the Westminster phone bank. Press 1.", "https://x.test/choice", 8))
    assert twiml.startswith("<?xml")
    assert '<Gather action="https://x.test/choice" method="POST" numDigits="1" timeout="8">' in twiml
    assert "This is the Westminster phone bank. Press 1.</Say></Gather>" in twiml
    assert twiml.endswith("Thank you for calling. Goodbye.</Say><Hangup /></Response>")
