"""The /_sim/ control plane: stage behaviours, move the clock, inject faults, read events, reset."""

from __future__ import annotations

import base64

import pytest

from tests.simulator.conftest import ACCOUNT_SID, AUTH_TOKEN, dial


@pytest.fixture
def control(sim):
    client = sim.app.test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()}

    def call(method: str, path: str, body=None):
        return client.open(f"/_sim{path}", method=method, json=body, headers=auth)

    return call


def test_the_control_plane_needs_the_accounts_credentials_except_for_health(sim):
    client = sim.app.test_client()
    assert client.get("/_sim/events").status_code == 401
    assert client.get("/_sim/health").get_json()["ok"] is True


def test_a_scenario_is_staged_and_played_through_the_control_plane(sim, twilio, product, control):
    assert control("PUT", "/behaviours/+447700900001", {"kind": "busy", "after_s": 2}).status_code == 200
    assert control("PUT", "/settings", {"cps": 2}).get_json()["cps"] == 2
    calls = [dial(twilio, "+447700900001") for _ in range(3)]
    assert [call.queue_time for call in calls] == ["0", "500", "1000"]

    advanced = control("POST", "/clock/advance", {"seconds": 10}).get_json()
    assert advanced["simulated"] is True and advanced["monotonic"] == 10
    assert [call.status for call in twilio.calls.list()] == ["busy"] * 3

    page = control("GET", "/events?kind=ended&limit=2").get_json()
    assert [event["status"] for event in page["events"]] == ["busy", "busy"]
    rest = control("GET", f"/events?kind=ended&since={page['next']}").get_json()
    assert len(rest["events"]) == 1

    assert control("POST", "/numbers", {"phone_number": "+442079460123"}).status_code == 201
    assert len(twilio.incoming_phone_numbers.list()) == 4
    assert control("POST", "/caller_ids", {"phone_number": "+447700900555"}).status_code == 201
    assert [c.phone_number for c in twilio.outgoing_caller_ids.list()] == ["+447700900555"]
    assert control("POST", "/caller_ids", {}).status_code == 400
    assert control("POST", "/numbers/+442079460123/calls", {"from": "+447700900001"}).status_code == 400

    fault = control("POST", "/faults", {"kind": "rest_5xx", "status": 503, "count": None}).get_json()
    assert [f["id"] for f in control("GET", "/faults").get_json()["faults"]] == [fault["id"]]
    assert control("DELETE", f"/faults/{fault['id']}").status_code == 204
    assert control("DELETE", "/faults/999").status_code == 404

    assert control("POST", "/reset").status_code == 200
    assert twilio.calls.list() == []
    assert len(twilio.incoming_phone_numbers.list()) == 4
    assert len(twilio.outgoing_caller_ids.list()) == 1
    assert control("GET", "/behaviours").get_json()["numbers"] == {}


def test_a_mix_can_be_set_and_bad_requests_say_what_is_wrong(control):
    assert control("PUT", "/mix", {"seed": 3, "weights": {"answer": 1}}).get_json()["seed"] == 3
    bad = control("PUT", "/behaviours/+447700900001", {"kind": "teleport"})
    assert bad.status_code == 400 and "unknown behaviour kind" in bad.get_json()["error"]
    assert (
        "unknown behaviour fields" in control("PUT", "/behaviours/+1", {"colour": "red"}).get_json()["error"]
    )
    assert control("PUT", "/mix", {"weights": {"answer": -1}}).status_code == 400
    assert control("POST", "/faults", ["not", "an", "object"]).status_code == 400
    assert control("GET", "/events?since=minus-one").status_code == 400


def test_a_reset_cancels_what_was_scheduled_and_never_reuses_a_call_sid(sim, twilio, product):
    before = dial(twilio, "+447700900001")
    sim.reset()
    sim.advance(600)
    assert product.received == []
    assert dial(twilio, "+447700900001").sid != before.sid
