"""Forged and abusive traffic gets nowhere: CSRF, rate limits, security headers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from dialer.models import SuppressionEntry, User
from tests.people import PASSWORD, add_account, csrf_headers, csrf_token, sign_in
from web.limits import TOO_MANY_SIGN_INS

NEW = {
    "first_name": "Kim",
    "email": "kim@example.org",
    "postcode": "BS1 4DJ",
    "password": "a good passphrase",
}


# --- CSRF ------------------------------------------------------------------------------------


def test_a_form_without_a_csrf_token_is_refused_and_changes_nothing(client, services):
    client.get("/sign-up")
    reply = client.post("/sign-up", data=NEW)
    assert reply.status_code == 400
    assert "did not come from Marginal" in reply.get_data(as_text=True)
    with services.uow() as uow:
        assert uow.session.exec(select(User)).all() == []


def test_a_form_with_a_forged_csrf_token_is_refused(client, services):
    client.get("/sign-up")
    reply = client.post("/sign-up", data={**NEW, "csrf_token": "IjAwMDAi.forged.token"})
    assert reply.status_code == 400
    with services.uow() as uow:
        assert uow.session.exec(select(User)).all() == []


def test_a_csrf_token_from_another_session_is_refused(app, client, services):
    stranger = app.test_client()
    their_token = csrf_token(stranger)
    client.get("/sign-up")
    assert client.post("/sign-up", data={**NEW, "csrf_token": their_token}).status_code == 400


def test_admin_actions_need_the_token_even_when_signed_in(client_as, services):
    admin = client_as("admin")
    reply = admin.post("/admin/suppression", data={"phone": "07700 900222", "reason": "opt_out"})
    assert reply.status_code == 400
    with services.uow() as uow:
        assert (
            uow.session.exec(
                select(SuppressionEntry).where(SuppressionEntry.phone_e164 == "+447700900222")
            ).first()
            is None
        )


def test_json_requests_carry_the_token_in_the_x_csrftoken_header(client_as, services):
    admin = client_as("admin")
    data = {"phone": "07700 900222", "reason": "opt_out"}
    refused = admin.post("/admin/suppression", data=data, headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert "did not come from Marginal" in refused.get_json()["error"]
    accepted = admin.post("/admin/suppression", data=data, headers={"X-CSRFToken": csrf_token(admin)})
    assert accepted.status_code == 303


def test_signing_out_needs_the_token_so_other_sites_cannot_sign_people_out(client, services):
    add_account(services, "sam@example.org", first_name="Sam")
    sign_in(client, "sam@example.org")
    assert client.post("/sign-out").status_code == 400
    assert "Signed in as Sam" in client.get("/").get_data(as_text=True)


# --- rate limits -----------------------------------------------------------------------------


def _wrong(client, email="sam@example.org", **headers):
    return client.post(
        "/sign-in",
        data={"email": email, "password": "not the password", "csrf_token": csrf_token(client)},
        headers=headers,
    )


def test_twenty_wrong_passwords_in_a_minute_are_rate_limited(client, services):
    add_account(services, "sam@example.org")
    replies = [_wrong(client).status_code for _ in range(20)]
    assert replies == [401] * 20
    limited = _wrong(client)
    assert limited.status_code == 429
    assert TOO_MANY_SIGN_INS in limited.get_data(as_text=True)
    assert int(limited.headers["Retry-After"]) <= 60
    # even the right password waits until the minute is over
    right = client.post(
        "/sign-in", data={"email": "sam@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert right.status_code == 429


def test_the_limit_is_per_account_whichever_client_guesses(app, services):
    add_account(services, "sam@example.org")
    for index in range(20):
        assert (
            _wrong(app.test_client(), environ_base={"REMOTE_ADDR": f"198.51.100.{index}"}).status_code == 401
        )
    other_client = app.test_client()
    reply = other_client.post(
        "/sign-in",
        data={"email": "SAM@example.org", "password": "x", "csrf_token": csrf_token(other_client)},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert reply.status_code == 429


def test_the_limit_is_per_client_whichever_account_it_guesses(client, services):
    for index in range(20):
        assert _wrong(client, email=f"guess{index}@example.org").status_code == 401
    assert _wrong(client, email="another@example.org").status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limit(client, services):
    add_account(services, "sam@example.org")
    for _ in range(25):
        sign_in(client, "sam@example.org")


def test_rate_limited_json_callers_get_a_json_message(client, services):
    for _ in range(20):
        _wrong(client)
    reply = _wrong(client, Accept="application/json")
    assert reply.status_code == 429
    assert reply.get_json() == {"error": TOO_MANY_SIGN_INS}


def test_password_reset_requests_are_rate_limited_per_account(client, services):
    add_account(services, "sam@example.org")
    for _ in range(3):
        reply = client.post(
            "/reset-password", data={"email": "sam@example.org", "csrf_token": csrf_token(client)}
        )
        assert reply.status_code == 303
    reply = client.post(
        "/reset-password", data={"email": "sam@example.org", "csrf_token": csrf_token(client)}
    )
    assert reply.status_code == 429
    assert "Too many password reset requests" in reply.get_data(as_text=True)


def test_sign_ups_are_rate_limited_per_client(client, services):
    for index in range(20):
        data = {**NEW, "email": f"kim{index}@example.org", "csrf_token": csrf_token(client)}
        assert client.post("/sign-up", data=data).status_code == 303
        client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    reply = client.post("/sign-up", data={**NEW, "csrf_token": csrf_token(client)})
    assert reply.status_code == 429
    assert "Too many sign-ups" in reply.get_data(as_text=True)


# --- security headers --------------------------------------------------------------------------


def test_every_page_has_a_strict_content_security_policy(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "ws://localhost" in directives["connect-src"]


def test_in_simulator_mode_the_softphone_may_reach_the_simulator(client, settings):
    connect = client.get("/").headers["Content-Security-Policy"].split("connect-src ", 1)[1].split(";")[0]
    assert settings.uses_simulator
    assert settings.simulator_url in connect.split()
    assert settings.simulator_url.replace("http://", "ws://") in connect.split()


def test_with_real_twilio_the_policy_allows_twilio_and_not_the_simulator(services, settings):
    from web import create_app

    twilio = settings.model_copy(update={"telephony": "twilio"})
    app = create_app(twilio, services)
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    assert "wss://*.twilio.com" in csp and settings.simulator_url not in csp


def test_the_other_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    policy = dict(item.split("=", 1) for item in headers["Permissions-Policy"].split(", "))
    assert policy["microphone"] == "(self)"
    assert policy["camera"] == policy["geolocation"] == policy["payment"] == "()"
    assert "Strict-Transport-Security" not in headers  # plain http: browsers ignore it anyway
    assert headers["Cache-Control"] == "no-store"


def test_over_https_browsers_are_told_to_stay_on_https(services, settings):
    from web import create_app

    app = create_app(settings.model_copy(update={"public_base_url": "https://calls.example.org"}), services)
    hsts = app.test_client().get("/").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31_536_000


@pytest.mark.parametrize("path", ["/", "/sign-in", "/sign-up", "/reset-password"])
def test_pages_have_no_inline_scripts_or_styles(client, path):
    html = client.get(path).get_data(as_text=True)
    assert "style=" not in html
    for tag in html.split("<script")[1:]:
        assert tag.split(">", 1)[0].strip().startswith("src="), "inline <script> would be blocked by the CSP"


def test_static_files_keep_their_own_cache_policy(client):
    with client.get("/static/css/site.css") as reply:
        assert reply.headers["Cache-Control"] != "no-store"


def test_text_with_a_nul_character_is_refused_before_any_view_runs(client_as, world):
    """PostgreSQL cannot store U+0000 (a query with one fails): every way in is refused with 400."""
    admin = client_as("admin")
    assert admin.get("/admin/people", query_string={"q": "\x00"}).status_code == 400
    organiser = client_as("organiser")
    form = {"slug": "nul", "text": "Bring a friend\x00", "csrf_token": csrf_token(organiser)}
    reply = organiser.post(f"/organiser/campaigns/{world.campaign_id}/pledges", data=form)
    assert reply.status_code == 400 and "NUL" in reply.get_data(as_text=True)
    volunteer = client_as("volunteer")
    body = {"kind": "pledge", "id": world.pledge_id, "outcome_id": world.outcome_id, "note\x00": 1}
    headers = {**csrf_headers(volunteer), "Accept": "application/json"}
    reply = volunteer.post(f"/signups/voters/{world.voter_id}", json=body, headers=headers)
    assert reply.status_code == 400 and reply.get_json()["error"] == "Text cannot contain NUL characters."
    assert client_as("anonymous").get("/pledge/\x00/x").status_code == 400
    assert admin.get("/admin/people", query_string={"q": "organiser"}).status_code == 200
