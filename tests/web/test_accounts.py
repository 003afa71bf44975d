"""Signing up, in and out, and resetting a password, through the real pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from dialer.models import AuditEntry, OutgoingMail, User
from dialer.services.accounts import accounts
from tests.people import PASSWORD, add_account, csrf_token, sign_in, sign_up_by_email

NEW = {
    "first_name": "Priya",
    "email": "Priya@Example.org ",
    "postcode": "bs1 4dj",
    "password": "four unrelated words here",
}


def _queued(services, email: str) -> Any:
    """The one e-mail a request put in the outbox for this address (a worker sends it:
    tests/integration/test_mail.py)."""
    with services.uow() as uow:
        (queued,) = uow.session.exec(select(OutgoingMail).where(OutgoingMail.to_address == email)).all()
        return queued


def _confirm_path(text: str) -> str:
    found = re.search(r"http://localhost(/sign-up/confirm/\S+)", text)
    assert found, "the e-mail carries the link that finishes signing up"
    return found.group(1)


def _sign_up_and_confirm(client, services) -> None:
    sign_up_by_email(client, services, NEW)


def test_signing_up_e_mails_a_link_that_creates_the_volunteer_and_signs_them_in_once(client, services):
    reply = client.post("/sign-up", data={**NEW, "csrf_token": csrf_token(client)})
    assert reply.status_code == 303 and reply.headers["Location"] == "/sign-up/sent"
    with services.uow() as uow:
        assert uow.session.exec(select(User)).all() == [], "no account until the address is confirmed"
    letter = _queued(services, "priya@example.org")
    assert letter.kind == "sign_up_confirmation" and "Hello Priya," in letter.text
    path = _confirm_path(letter.text)
    assert client.get(path).status_code == 200, "opening the link (as a mail scanner would) makes nothing"
    with services.uow() as uow:
        assert uow.session.exec(select(User)).all() == []
    assert client.post(path, data={"csrf_token": csrf_token(client)}).status_code == 303
    with services.uow() as uow:
        user = uow.session.exec(select(User)).one()
        assert (user.email, user.postcode, user.role.value) == ("priya@example.org", "BS1 4DJ", "volunteer")
    assert "Signed in as Priya" in client.get("/").get_data(as_text=True)
    again = client.get(path, follow_redirects=True)
    assert "This sign-up link is not valid or has been used" in again.get_data(as_text=True)


def test_a_sign_up_link_expires_after_a_day(client, services, clock):
    client.post("/sign-up", data={**NEW, "csrf_token": csrf_token(client)})
    path = _confirm_path(_queued(services, "priya@example.org").text)
    clock.advance(24 * 3600 + 1)
    reply = client.get(path, follow_redirects=True)
    assert "This sign-up link has expired" in reply.get_data(as_text=True)


def test_sign_up_errors_name_the_field_and_keep_what_was_typed(client, services):
    reply = client.post(
        "/sign-up",
        data={
            "first_name": "Priya",
            "email": "not-an-address",
            "postcode": "nowhere",
            "password": "short",
            "csrf_token": csrf_token(client),
        },
    )
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "Enter an e-mail address like name@example.org." in html
    assert "Not a UK postcode: &#39;NOWHERE&#39;" in html
    assert "Use at least 10 characters." in html
    assert 'value="Priya"' in html and 'aria-invalid="true"' in html
    with services.uow() as uow:
        assert uow.session.exec(select(User)).all() == []


def _without_tokens(page: str) -> str:
    """A page without what differs between any two requests (CSRF tokens, CSP nonces)."""
    return re.sub(r'(value|content|nonce)="[A-Za-z0-9._\-]{20,}"', "", page)


def test_signing_up_with_a_used_address_answers_the_same_and_tells_its_owner_by_e_mail(app, client, services):
    add_account(services, "priya@example.org", first_name="Priya")
    used = client.post("/sign-up", data={**NEW, "csrf_token": csrf_token(client)}, follow_redirects=True)
    stranger = app.test_client()
    fresh = stranger.post(
        "/sign-up",
        data={**NEW, "email": "new@example.org", "csrf_token": csrf_token(stranger)},
        follow_redirects=True,
    )
    assert used.status_code == fresh.status_code == 200
    assert "Check your e-mail" in used.get_data(as_text=True)
    assert _without_tokens(used.get_data(as_text=True)) == _without_tokens(fresh.get_data(as_text=True))
    told = _queued(services, "priya@example.org")
    assert told.kind == "already_signed_up" and "already has an account" in told.text
    assert "http://localhost/reset-password" in told.text
    with services.uow() as uow:
        assert len(uow.session.exec(select(User)).all()) == 1, "the used address's account is unchanged"


def test_passwords_are_stored_as_argon2id_hashes(client, services):
    _sign_up_and_confirm(client, services)
    with services.uow() as uow:
        stored = uow.session.exec(select(User)).one().password_hash
    assert stored.startswith("$argon2id$")
    assert NEW["password"] not in stored
    assert services.passwords.verify(stored, NEW["password"])


def test_an_outdated_hash_is_upgraded_when_its_owner_signs_in(client, services):
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=2, memory_cost=512, parallelism=1)
    user_id = add_account(services, "old@example.org")
    with services.uow() as uow:
        user = uow.session.get(User, user_id)
        user.password_hash = old.hash(PASSWORD)
        uow.session.add(user)
        uow.commit()
    sign_in(client, "old@example.org")
    with services.uow() as uow:
        upgraded = uow.session.get(User, user_id).password_hash
    assert "m=512" not in upgraded
    assert not services.passwords.check_needs_rehash(upgraded)
    assert services.passwords.verify(upgraded, PASSWORD)


def test_a_wrong_password_is_refused_with_a_clear_message_and_audited(client, services):
    user_id = add_account(services, "sam@example.org")
    reply = client.post(
        "/sign-in",
        data={"email": "sam@example.org", "password": "wrong password!", "csrf_token": csrf_token(client)},
    )
    assert reply.status_code == 401
    assert "do not match an account" in reply.get_data(as_text=True)
    with services.uow() as uow:
        entry = uow.session.exec(select(AuditEntry)).one()
        assert (entry.action, entry.actor_id) == ("sign_in_failed", user_id)


def test_signing_in_is_audited_and_returns_to_the_page_asked_for(client, services):
    user_id = add_account(services, "sam@example.org")
    reply = client.post(
        "/sign-in?next=/healthz",
        data={"email": "SAM@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert reply.status_code == 303 and reply.headers["Location"] == "/healthz"
    with services.uow() as uow:
        actions = [(e.action, e.actor_id) for e in uow.session.exec(select(AuditEntry)).all()]
    assert actions == [("sign_in", user_id)]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_sign_in_never_redirects_to_another_site(client, services, target):
    add_account(services, "sam@example.org")
    reply = client.post(
        "/sign-in",
        query_string={"next": target},
        data={"email": "sam@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert reply.headers["Location"] == "/"


def test_signing_out_ends_the_session(client, services):
    add_account(services, "sam@example.org", first_name="Sam")
    sign_in(client, "sam@example.org")
    assert "Signed in as Sam" in client.get("/").get_data(as_text=True)
    assert client.post("/sign-out", data={"csrf_token": csrf_token(client)}).status_code == 303
    assert "Signed in as" not in client.get("/").get_data(as_text=True)


def _reset_link(client, services, email: str) -> str:
    """The link in the e-mail the request put in the outbox (tests/integration/test_mail.py sends one)."""
    reply = client.post("/reset-password", data={"email": email, "csrf_token": csrf_token(client)})
    assert reply.status_code == 303
    with services.uow() as uow:
        queued = uow.session.exec(select(OutgoingMail).where(OutgoingMail.to_address == email)).all()
    assert len(queued) == 1 and queued[0].kind == "password_reset"
    match = re.search(r"http://localhost(/reset-password/\S+)", queued[0].text)
    assert match, "the e-mail carries the reset link"
    return match.group(1)


def test_a_reset_link_is_e_mailed_and_sets_a_new_password_once(client, services):
    add_account(services, "sam@example.org")
    path = _reset_link(client, services, "sam@example.org")
    assert client.get(path).status_code == 200
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    assert client.post(path, data={**new, "csrf_token": csrf_token(client)}).status_code == 303
    # used once: the same link no longer works
    again = client.post(path, data={**new, "csrf_token": csrf_token(client)})
    assert again.status_code == 303 and again.headers["Location"] == "/reset-password"
    other = services.uow()
    assert accounts.authenticate(
        other, services.passwords, services.clock, "sam@example.org", new["password"]
    )


def test_asking_for_a_reset_does_not_reveal_whether_an_account_exists(client, services):
    add_account(services, "sam@example.org")
    known = client.post(
        "/reset-password",
        data={"email": "sam@example.org", "csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    unknown = client.post(
        "/reset-password",
        data={"email": "nobody@example.org", "csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    assert known.status_code == unknown.status_code == 200
    message = "If an account uses that address"
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_a_reset_link_expires_after_an_hour(client, services, clock):
    add_account(services, "sam@example.org")
    path = _reset_link(client, services, "sam@example.org")
    clock.advance(accounts.RESET_TOKEN_LIFETIME.total_seconds() + 1)
    reply = client.get(path, follow_redirects=True)
    assert "This reset link has expired" in reply.get_data(as_text=True)


def test_a_forged_reset_link_is_refused(client, services):
    reply = client.get("/reset-password/eyJ1IjoxLCJmIjoiMDAwIn0.forged.signature", follow_redirects=True)
    assert "This reset link is not valid" in reply.get_data(as_text=True)


def test_a_password_reset_signs_out_every_other_session(app, client, services):
    add_account(services, "sam@example.org", first_name="Sam")
    laptop = app.test_client()
    sign_in(laptop, "sam@example.org")
    path = _reset_link(client, services, "sam@example.org")
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    client.post(path, data={**new, "csrf_token": csrf_token(client)})
    assert "Signed in as Sam" in client.get("/").get_data(as_text=True)
    assert "Signed in as" not in laptop.get("/").get_data(as_text=True)


def test_a_session_expires_after_four_idle_hours(client, services, clock):
    add_account(services, "sam@example.org", first_name="Sam")
    sign_in(client, "sam@example.org")
    clock.advance(timedelta(hours=3, minutes=59).total_seconds())
    assert "Signed in as Sam" in client.get("/").get_data(as_text=True)
    clock.advance(timedelta(hours=4, minutes=1).total_seconds())
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as" not in page and "Your session expired" in page


def test_a_session_ends_a_day_after_signing_in_even_when_busy(client, services, clock):
    add_account(services, "sam@example.org", first_name="Sam")
    sign_in(client, "sam@example.org")
    for _ in range(24):
        clock.advance(timedelta(hours=1).total_seconds())
        page = client.get("/").get_data(as_text=True)
    assert "Signed in as" not in page and "Your session expired" in page


def test_the_session_cookie_is_http_only_same_site_and_lasts_no_longer_than_a_session(client, services):
    add_account(services, "sam@example.org")
    client.get("/sign-in")
    reply = client.post(
        "/sign-in", data={"email": "sam@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    cookie = next(c for c in reply.headers.getlist("Set-Cookie") if c.startswith("marginal_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=86400" in cookie or "Expires=" in cookie


def test_over_https_the_session_cookie_is_secure_and_host_only(services, settings):
    from web import create_app

    app = create_app(settings.model_copy(update={"public_base_url": "https://calls.example.org"}), services)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")


def test_a_password_is_verified_with_no_database_connection_held(services):
    add_account(services, "held@example.org")
    held = []

    class Watching(PasswordHasher):
        def verify(self, hash, password):
            held.append(services.engine.pool.checkedout())
            return super().verify(hash, password)

    watching = Watching(time_cost=1, memory_cost=1024, parallelism=1)
    signed = accounts.authenticate(services.uow(), watching, services.clock, "held@example.org", PASSWORD)
    assert signed is not None and held == [0]


def test_a_password_changed_while_the_old_one_was_being_checked_does_not_sign_in(services):
    user_id = add_account(services, "changed@example.org")

    class ChangedMeanwhile(PasswordHasher):
        def verify(self, hash, password):
            with services.uow() as uow:
                user = uow.session.get(User, user_id)
                user.password_hash = self.hash("a brand new password")
                uow.commit()
            return super().verify(hash, password)

    hasher = ChangedMeanwhile(time_cost=1, memory_cost=1024, parallelism=1)
    assert (
        accounts.authenticate(services.uow(), hasher, services.clock, "changed@example.org", PASSWORD) is None
    )


@pytest.mark.parametrize(("trusted_proxies", "recorded"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_a_clients_address_is_taken_from_a_trusted_proxy_only(services, settings, trusted_proxies, recorded):
    from web import create_app

    app = create_app(settings.model_copy(update={"trusted_proxies": trusted_proxies}), services)
    client = app.test_client()
    client.post(
        "/sign-in",
        data={"email": "nobody@example.org", "password": "wrong", "csrf_token": csrf_token(client)},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    with services.uow() as uow:
        failed = uow.session.exec(select(AuditEntry).where(AuditEntry.action == "sign_in_failed")).one()
    assert failed.ip == recorded, "a forged X-Forwarded-For is ignored unless a proxy is trusted"
