"""The calling screens: what a volunteer sees and receives, and never a voter's phone number."""

import json
import re
from dataclasses import replace
from html import unescape

import pytest

from dialer.config import TelephonyBackend
from dialer.domain.campaigns import DialingMode
from tests.integration.test_power_dialing import answer, only_call, status
from tests.people import sign_in_as
from tests.phone_bank_builders import make_campaign, make_volunteer

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dialer_services):
    from web import create_app

    app = create_app(services=dialer_services)
    app.config["WTF_CSRF_ENABLED"] = False  # the CSRF check itself belongs to the forms' own tests
    return app


def signed_in(app, bank, user_id):
    """A client signed in as the volunteer through the sign-in form."""
    return sign_in_as(app.test_client(), app.extensions["marginal"], user_id)


def phone_number_forms(bank):
    """Every voter number, in the ways it could be written."""
    from sqlmodel import select

    from dialer.models import Voter

    with bank.uow() as uow:
        numbers = [v.phone_e164 for v in uow.session.exec(select(Voter)).all()]
    forms = set()
    for e164 in numbers:
        national = "0" + e164[3:]
        forms |= {e164, e164[1:], national, national[1:], f"{national[:5]} {national[5:]}"}
    return forms


def assert_no_phone_number(text, forms):
    digits = re.sub(r"[^\d+]", "", text)
    found = [form for form in forms if form in text or form.replace(" ", "") in digits]
    assert not found, f"phone numbers leaked: {found}"


def test_the_phone_bank_list_and_calling_page_show_what_a_call_needs(app, bank):
    campaign = make_campaign(bank, voters=3)
    client = signed_in(app, bank, make_volunteer(bank))
    listing = client.get("/call").get_data(as_text=True)
    assert "Westminster phone bank" in listing and "3 voters to call" in listing
    page = client.get(f"/call/{campaign}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Hello</h1>" in html and "<strong>the election</strong>" in html
    assert "<script>alert(1)</script>" not in html, "the script's raw HTML is escaped"
    assert "<kbd>1</kbd>" in html and "Talked to voter" in html
    assert 'id="signup-slot"' in html and 'id="call-timer"' in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, "no inline scripts"
    assert ' style="' not in html


def bootstrap_of(html):
    found = re.search(r"data-bootstrap='([^']*)'", html)
    assert found, "the page carries its bootstrap data"
    return json.loads(unescape(found.group(1)))


def test_the_calling_page_runs_the_softphone_of_the_configured_provider(app, bank, dialer_services):
    from web import create_app

    campaign = make_campaign(bank, voters=1)
    volunteer = make_volunteer(bank)
    simulated = signed_in(app, bank, volunteer).get(f"/call/{campaign}").get_data(as_text=True)
    settings = dialer_services.settings
    assert bootstrap_of(simulated)["phone"] == {
        "backend": "simulator",
        "simulator_url": settings.simulator_url,
    }
    assert "/static/js/phone.js" in simulated and "/static/js/seat-audio.js" in simulated
    assert "/vendor/twilio.min.js" not in simulated, "the simulator's SimPhone needs no Voice SDK"

    account = {"telephony": TelephonyBackend.TWILIO, "twilio_account_sid": "AC" + "1" * 32}
    twilio_app = create_app(services=replace(dialer_services, settings=settings.model_copy(update=account)))
    twilio_app.config["WTF_CSRF_ENABLED"] = False
    real = signed_in(twilio_app, bank, volunteer).get(f"/call/{campaign}").get_data(as_text=True)
    assert bootstrap_of(real)["phone"] == {"backend": "twilio", "simulator_url": None}
    assert "/vendor/twilio.min.js" in real and "/static/js/seat-audio.js" in real


def test_signed_out_visitors_are_sent_away(app):
    page = app.test_client().get("/call")
    assert page.status_code == 302 and page.location.startswith("/sign-in")
    action = app.test_client().post("/call/1/session", json={}, headers={"Accept": "application/json"})
    assert action.status_code == 401 and action.get_json()["error"] == "sign in first"


def test_a_whole_call_as_the_volunteer_receives_it_never_contains_a_phone_number(app, bank, clock, telephony):
    campaign = make_campaign(bank, voters=4, show_surname=True)
    volunteer = make_volunteer(bank)
    client = signed_in(app, bank, volunteer)
    forms = phone_number_forms(bank)
    received = []

    def keep(reply):
        received.append(reply.get_data(as_text=True))
        return reply

    started = keep(client.post(f"/call/{campaign}/session", json={"audio": "browser"})).get_json()
    session_id = started["session"]
    from dialer.services.calling import sessions

    sessions.softphone_joined(bank, session_id, f"client:volunteer-{volunteer}", "CAleg")
    clock.advance(1)
    call = only_call(bank, session_id)
    answer(bank, call)
    keep(client.get(f"/call/{campaign}"))
    snapshot = keep(client.get(f"/call/session/{session_id}")).get_json()
    assert snapshot["voter"]["first_name"] == "Voter0" and snapshot["voter"]["last_name"] == "Surname0"
    status(bank, call.id, call.provider_sid, "completed", 4, duration=20)
    outcome = keep(
        client.post(
            f"/call/session/{session_id}/outcome",
            json={"call": call.id, "disposition": "talked", "answers": {"intention": "Lab"}},
        )
    )
    assert outcome.status_code == 200
    keep(client.get("/call"))
    keep(client.post(f"/call/session/{session_id}/pause"))
    keep(client.post(f"/call/session/{session_id}/end"))

    published = [json.dumps(payload) for _, _, payload in bank.live.published]
    assert any('"first_name": "Voter0"' in p for p in published), "the voter card was pushed"
    for text in received + published:
        assert_no_phone_number(text, forms)


def test_the_surname_is_shown_only_when_the_campaign_allows(app, bank, clock):
    campaign = make_campaign(bank, voters=1)
    volunteer = make_volunteer(bank)
    client = signed_in(app, bank, volunteer)
    session_id = client.post(f"/call/{campaign}/session", json={}).get_json()["session"]
    from dialer.services.calling import sessions

    sessions.softphone_joined(bank, session_id, f"client:volunteer-{volunteer}", "CAleg")
    clock.advance(1)
    card = client.get(f"/call/session/{session_id}").get_json()["voter"]
    assert card["first_name"] == "Voter0" and card["last_name"] is None


def test_json_actions_answer_bad_requests_with_a_message(app, bank):
    campaign = make_campaign(bank, voters=1, mode=DialingMode.PREVIEW)
    client = signed_in(app, bank, make_volunteer(bank))
    assert client.post(f"/call/{campaign}/session", json={"audio": "carrier pigeon"}).status_code == 400
    session_id = client.post(f"/call/{campaign}/session", json={}).get_json()["session"]
    reply = client.post(f"/call/session/{session_id}/pause")
    assert reply.status_code == 409 and "error" in reply.get_json()
    assert client.post(f"/call/session/{session_id}/outcome", json={"call": "x"}).status_code == 400
    assert client.post(f"/call/session/{session_id}/teleport").status_code == 404
    other = signed_in(app, bank, make_volunteer(bank, "Kim"))
    assert other.get(f"/call/session/{session_id}").status_code == 404, "someone else's seat is not found"


def test_a_volunteer_may_join_only_their_own_seats_room(app, bank):
    from web.extensions import socketio

    campaign = make_campaign(bank)
    mine, theirs = make_volunteer(bank), make_volunteer(bank, "Kim")
    client = signed_in(app, bank, mine)
    session_id = client.post(f"/call/{campaign}/session", json={}).get_json()["session"]
    other_session = (
        signed_in(app, bank, theirs).post(f"/call/{campaign}/session", json={}).get_json()["session"]
    )
    socket = socketio.test_client(app, namespace="/live", flask_test_client=client)
    assert socket.is_connected("/live")
    assert socket.emit("join", {"seat": session_id}, namespace="/live", callback=True)["ok"] is True
    assert socket.emit("join", {"seat": other_session}, namespace="/live", callback=True) == {
        "error": "forbidden"
    }
    socket.disconnect(namespace="/live")
    anonymous = socketio.test_client(app, namespace="/live")
    assert not anonymous.is_connected("/live")


def test_actions_without_the_pages_csrf_token_are_refused(app, bank):
    app.config["WTF_CSRF_ENABLED"] = True
    campaign = make_campaign(bank)
    client = signed_in(app, bank, make_volunteer(bank))
    assert client.post(f"/call/{campaign}/session", json={}).status_code == 400
    html = client.get(f"/call/{campaign}").get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found is not None
    token = found.group(1)
    assert (
        client.post(f"/call/{campaign}/session", json={}, headers={"X-CSRFToken": token}).status_code == 200
    )


def test_a_volunteers_draft_comes_back_with_the_page_and_nobody_else_can_write_it(app, bank, clock):
    campaign = make_campaign(bank, voters=1)
    volunteer, other = make_volunteer(bank), make_volunteer(bank, "Mallory")
    client = signed_in(app, bank, volunteer)
    session_id = client.post(f"/call/{campaign}/session", json={"audio": "browser"}).get_json()["session"]
    from dialer.services.calling import sessions

    sessions.softphone_joined(bank, session_id, f"client:volunteer-{volunteer}", "CAleg")
    clock.advance(1)
    call = only_call(bank, session_id)
    answer(bank, call)
    draft = {"call": call.id, "answers": {"intention": "Lab"}, "notes": "Ask about the bus route"}
    assert client.post(f"/call/session/{session_id}/draft", json=draft).status_code == 200

    page = client.get(f"/call/{campaign}").get_data(as_text=True)
    assert "Ask about the bus route" in unescape(page), "the reloaded page is given the draft"
    intruder = signed_in(app, bank, other)
    hijack = {"call": call.id, "answers": {}, "notes": "overwritten"}
    assert intruder.post(f"/call/session/{session_id}/draft", json=hijack).status_code == 404
    bad = {"call": call.id, "answers": {"no-such-question": "x"}, "notes": ""}
    assert client.post(f"/call/session/{session_id}/draft", json=bad).status_code == 400
    assert only_call(bank, session_id).draft == {
        "answers": {"intention": "Lab"},
        "notes": "Ask about the bus route",
    }

    status(bank, call.id, call.provider_sid, "completed", 4, duration=20)
    saved = {"call": call.id, "disposition": "talked", "answers": {"intention": "Lab"}}
    assert client.post(f"/call/session/{session_id}/outcome", json=saved).status_code == 200
    assert only_call(bank, session_id).draft is None, "the outcome replaces the draft"
    assert client.post(f"/call/session/{session_id}/draft", json=draft).status_code == 409


def test_the_browser_phone_renews_its_token_for_its_own_seat_only(app, bank, clock):
    campaign = make_campaign(bank, voters=1)
    volunteer = make_volunteer(bank)
    client = signed_in(app, bank, volunteer)
    session_id = client.post(f"/call/{campaign}/session", json={"audio": "browser"}).get_json()["session"]

    renewed = client.post(f"/call/session/{session_id}/softphone-token")

    assert renewed.status_code == 200
    assert renewed.get_json() == {"softphone_token": f"token-for-volunteer-{volunteer}"}
    stranger = signed_in(app, bank, make_volunteer(bank, "Kim"))
    assert stranger.post(f"/call/session/{session_id}/softphone-token").status_code == 404
    client.post(f"/call/session/{session_id}/end")
    assert client.post(f"/call/session/{session_id}/softphone-token").status_code == 409, (
        "an ended seat has none"
    )
