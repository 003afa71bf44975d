"""Acceptance 2: every response body the simulator serves validates against Twilio's own OpenAPI.

The test walks the operations the simulator implements, calls each, and validates the body with
jsonschema against the operation's response schema in tests/fixtures/twilio/twilio_api_v2010.json
(Twilio's file, MIT licence beside it).
It is stricter than the file: every property the schema lists must be present (Twilio always sends
them all) and nothing it does not list may appear.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from dialer.simulator import Behaviour
from tests.simulator.conftest import ACCOUNT_SID, AUTH_TOKEN, CALLER_ID, dial, url

SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "twilio" / "twilio_api_v2010.json"
ACCOUNT = "/2010-04-01/Accounts/{AccountSid}"
RFC_2822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")

formats = FormatChecker()


@formats.checks("date-time-rfc-2822", raises=(ValueError, TypeError))  # type: ignore[untyped-decorator]
def _rfc_2822(value: object) -> bool:
    return not isinstance(value, str) or bool(RFC_2822.match(value) and parsedate_to_datetime(value))


@pytest.fixture(scope="module")
def spec():
    if not SPEC_PATH.exists():
        pytest.fail(f"Twilio's OpenAPI description is missing: {SPEC_PATH}")
    return json.loads(SPEC_PATH.read_text())


def strict(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0 -> JSON Schema: `nullable` becomes a null type, $refs are inlined, objects closed.

    OpenAPI 3.0 cannot mark a $ref nullable, yet Twilio sends null for enum fields that do not
    apply yet (a running conference's `reason_conference_ended`): a $ref'd enum may be null.
    """
    if "$ref" in schema:
        target = components[schema["$ref"].rsplit("/", 1)[-1]]
        inlined = strict(target, components)
        if "enum" in inlined:
            inlined = {"anyOf": [inlined, {"type": "null"}]}
        return inlined
    result = copy.deepcopy({k: v for k, v in schema.items() if k not in ("nullable", "properties", "items")})
    if schema.get("nullable") and "type" in schema:
        result["type"] = [schema["type"], "null"]
        if "enum" in result:
            result["enum"] = [*result["enum"], None]
    if "properties" in schema:
        result["properties"] = {name: strict(sub, components) for name, sub in schema["properties"].items()}
        result["required"] = sorted(schema["properties"])
        result["additionalProperties"] = False
    if "items" in schema:
        result["items"] = strict(schema["items"], components)
    return result


def validate(spec: dict[str, Any], path: str, method: str, status: int, body: dict[str, Any]) -> None:
    operation = spec["paths"][path][method]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    validator = Draft202012Validator(strict(schema, spec["components"]["schemas"]), format_checker=formats)
    problems = sorted(validator.iter_errors(body), key=lambda error: list(error.path))
    assert not problems, f"{method.upper()} {path}: " + "; ".join(
        f"{'/'.join(map(str, p.path))}: {p.message}" for p in problems[:5]
    )


@pytest.fixture
def http(sim):
    client = sim.app.test_client()
    auth = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()

    def request(method: str, path: str, form: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        concrete = path.replace("{AccountSid}", ACCOUNT_SID)
        response = client.open(concrete, method=method, data=form, headers={"Authorization": f"Basic {auth}"})
        return response.status_code, dict(response.get_json())

    return request


def test_every_implemented_endpoint_answers_in_the_shape_twilio_documents(spec, sim, twilio, http, product):
    sim.set_behaviour("+447700900001", Behaviour.answer(ring=2, talk=600))
    sim.set_behaviour("+447700900002", Behaviour.answer(ring=2, talk=600))
    product.twiml["/voice"] = "<Response><Dial><Conference>seat-1</Conference></Dial></Response>"
    first = dial(twilio, "+447700900001", machine_detection="Enable", async_amd="true")
    sim.advance(10)
    conference = twilio.conferences.list(friendly_name="seat-1")[0].sid

    checked: list[tuple[str, str]] = []

    def check(method: str, path: str, expected: int, form: dict[str, Any] | None = None, **ids: str):
        concrete = path.format(AccountSid="{AccountSid}", **ids)
        status, body = http(method, concrete, form)
        assert status == expected, (method, concrete, body)
        validate(spec, path, method.lower(), status, body)
        checked.append((method, path))
        return body

    calls, conferences = f"{ACCOUNT}/Calls", f"{ACCOUNT}/Conferences"
    created = check(
        "POST", f"{calls}.json", 201, {"To": "+447700900002", "From": CALLER_ID, "Url": url("/voice")}
    )
    sim.advance(10)
    check("GET", f"{calls}.json", 200)
    check("GET", f"{calls}/{{Sid}}.json", 200, Sid=first.sid)
    check("POST", f"{calls}/{{Sid}}.json", 200, {"Status": "completed"}, Sid=created["sid"])
    check("GET", f"{conferences}.json", 200)
    check("GET", f"{conferences}/{{Sid}}.json", 200, Sid=conference)
    participants = f"{conferences}/{{ConferenceSid}}/Participants"
    check(
        "POST",
        f"{participants}.json",
        201,
        {"From": CALLER_ID, "To": "+447700900003"},
        ConferenceSid=conference,
    )
    check("GET", f"{participants}.json", 200, ConferenceSid=conference)
    check("GET", f"{participants}/{{CallSid}}.json", 200, ConferenceSid=conference, CallSid=first.sid)
    check(
        "POST",
        f"{participants}/{{CallSid}}.json",
        200,
        {"Muted": "true"},
        ConferenceSid=conference,
        CallSid=first.sid,
    )
    check("POST", f"{conferences}/{{Sid}}.json", 200, {"Status": "completed"}, Sid=conference)
    numbers = check("GET", f"{ACCOUNT}/IncomingPhoneNumbers.json", 200)["incoming_phone_numbers"]
    check("GET", f"{ACCOUNT}/IncomingPhoneNumbers/{{Sid}}.json", 200, Sid=numbers[0]["sid"])
    check(
        "POST",
        f"{ACCOUNT}/IncomingPhoneNumbers/{{Sid}}.json",
        200,
        {"VoiceUrl": url("/in")},
        Sid=numbers[0]["sid"],
    )
    verified = sim.verify_caller_id("+447700900555")
    check("GET", f"{ACCOUNT}/OutgoingCallerIds.json", 200)
    check("GET", f"{ACCOUNT}/OutgoingCallerIds/{{Sid}}.json", 200, Sid=verified.sid)
    application = check(
        "POST", f"{ACCOUNT}/Applications.json", 201, {"FriendlyName": "Marginal", "VoiceUrl": url("/b")}
    )
    check("GET", f"{ACCOUNT}/Applications.json", 200)
    check("GET", f"{ACCOUNT}/Applications/{{Sid}}.json", 200, Sid=application["sid"])
    check("POST", f"{ACCOUNT}/Applications/{{Sid}}.json", 200, {"VoiceMethod": "GET"}, Sid=application["sid"])
    messages = f"{ACCOUNT}/Messages"
    text = check(
        "POST",
        f"{messages}.json",
        201,
        {"To": "+447700900004", "From": CALLER_ID, "Body": "Hello", "StatusCallback": url("/sms-status")},
    )
    sim.text(CALLER_ID, from_="+447700900004", body="STOP")
    check("GET", f"{messages}.json", 200)
    check("GET", f"{messages}/{{Sid}}.json", 200, Sid=text["sid"])

    # Every list and instance of a finished call and conference validates too.
    sim.advance(700)
    check("GET", f"{calls}/{{Sid}}.json", 200, Sid=first.sid)
    check("GET", f"{conferences}/{{Sid}}.json", 200, Sid=conference)
    check("GET", f"{calls}.json", 200)
    check("GET", f"{messages}/{{Sid}}.json", 200, Sid=text["sid"])
    check("POST", f"{messages}/{{Sid}}.json", 200, {"Body": ""}, Sid=text["sid"])

    # A deletion answers 204 with no body, as Twilio documents it: a participant of a live
    # conference (seat-1 again, as a new caller joins it), and the application.
    sim.set_behaviour("+447700900004", Behaviour.answer(ring=1, talk=600))
    joining = dial(twilio, "+447700900004")
    sim.advance(5)
    live = twilio.conferences.list(friendly_name="seat-1", status="in-progress")[0].sid
    deletions = (
        (f"{participants}/{{CallSid}}.json", {"ConferenceSid": live, "CallSid": joining.sid}),
        (f"{ACCOUNT}/Applications/{{Sid}}.json", {"Sid": application["sid"]}),
    )
    authorization = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    for path, ids in deletions:
        response = sim.app.test_client().delete(
            path.format(AccountSid=ACCOUNT_SID, **ids), headers={"Authorization": f"Basic {authorization}"}
        )
        assert response.status_code == 204 and not response.data, (path, response.status_code)
        assert "204" in spec["paths"][path]["delete"]["responses"]
        checked.append(("DELETE", path))

    # Every Twilio endpoint the simulator serves was checked above: a new one must be added here.
    served = {
        (method, _shape(rule.rule))
        for rule in sim.app.url_map.iter_rules()
        if rule.rule.startswith("/2010-04-01/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == {(method, _shape(path)) for method, path in checked}
    assert all(path in spec["paths"] for _, path in checked), "each is an operation Twilio documents"


def _shape(path: str) -> str:
    """A route with its parameters blanked: Flask's <sid> and the OpenAPI document's {Sid} alike."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_the_checker_itself_rejects_a_body_twilio_would_not_send(spec):
    body = {"sid": "CA" + "0" * 32, "status": "dialling"}
    with pytest.raises(AssertionError):
        validate(spec, f"{ACCOUNT}/Calls/{{Sid}}.json", "get", 200, body)
