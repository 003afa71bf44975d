"""Sessions that really end: a cookie kept from before signing out opens nothing afterwards."""

from __future__ import annotations

from sqlmodel import col, select

from dialer.domain.roles import Role
from dialer.models import SignInSession
from dialer.services.accounts import accounts, sign_in_sessions
from tests.people import add_account, csrf_token, sign_in


def _signed_in(client) -> bool:
    return "Signed in as" in client.get("/").get_data(as_text=True)


def _copy_of_cookie(app, client):
    """Another browser holding a copy of this client's session cookie, as a thief would."""
    thief = app.test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def _open_sessions(services, user_id: int) -> int:
    with services.uow() as uow:
        return len(
            uow.session.exec(
                select(SignInSession).where(
                    SignInSession.user_id == user_id, col(SignInSession.ended_at).is_(None)
                )
            ).all()
        )


def test_a_cookie_saved_before_signing_out_is_refused_after_it(app, client, services):
    user_id = add_account(services, "sam@example.org")
    sign_in(client, "sam@example.org")
    saved = _copy_of_cookie(app, client)
    assert _signed_in(saved)

    client.post("/sign-out", data={"csrf_token": csrf_token(client)})

    assert not _signed_in(client)
    assert not _signed_in(saved)
    assert "/sign-in" in saved.get("/call").headers["Location"]
    assert _open_sessions(services, user_id) == 0


def test_signing_out_on_one_device_leaves_the_others_signed_in(app, services):
    user_id = add_account(services, "sam@example.org")
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, "sam@example.org")
    sign_in(laptop, "sam@example.org")

    phone.post("/sign-out", data={"csrf_token": csrf_token(phone)})

    assert not _signed_in(phone)
    assert _signed_in(laptop)
    assert _open_sessions(services, user_id) == 1


def test_signing_out_everywhere_ends_every_session_of_the_account_and_no_one_elses(app, services):
    user_id = add_account(services, "sam@example.org")
    add_account(services, "kim@example.org", first_name="Kim")
    phone, laptop, kim = app.test_client(), app.test_client(), app.test_client()
    sign_in(phone, "sam@example.org")
    sign_in(laptop, "sam@example.org")
    sign_in(kim, "kim@example.org")
    saved = _copy_of_cookie(app, laptop)

    reply = phone.post("/sign-out-everywhere", data={"csrf_token": csrf_token(phone)})

    assert reply.status_code == 303
    assert not any(_signed_in(each) for each in (phone, laptop, saved))
    assert _signed_in(kim)
    assert _open_sessions(services, user_id) == 0


def test_a_new_password_ends_every_earlier_session(app, services):
    user_id = add_account(services, "sam@example.org")
    laptop = app.test_client()
    sign_in(laptop, "sam@example.org")
    link = accounts.request_reset(
        services.uow(), services.clock, services.settings.secret_key, "sam@example.org"
    )
    assert link is not None

    resetting = app.test_client()
    path = f"/reset-password/{link.token}"
    new = "a different good passphrase"
    reply = resetting.post(path, data={"password": new, "confirm": new, "csrf_token": csrf_token(resetting)})

    assert reply.status_code == 303
    assert not _signed_in(laptop)
    assert _signed_in(resetting)  # the person who chose the new password is signed in with it
    assert _open_sessions(services, user_id) == 1


def test_an_admin_can_end_every_session_of_an_account(app, services):
    user_id = add_account(services, "sam@example.org")
    add_account(services, "ada@example.org", first_name="Ada", role=Role.ADMIN)
    phone, laptop, admin = app.test_client(), app.test_client(), app.test_client()
    sign_in(phone, "sam@example.org")
    sign_in(laptop, "sam@example.org")
    sign_in(admin, "ada@example.org")

    reply = admin.post(f"/admin/people/{user_id}/end-sessions", data={"csrf_token": csrf_token(admin)})

    assert reply.status_code == 303
    assert not _signed_in(phone) and not _signed_in(laptop)
    assert _signed_in(admin)
    assert _open_sessions(services, user_id) == 0


def test_a_volunteer_cannot_end_someone_elses_sessions(app, services):
    user_id = add_account(services, "sam@example.org")
    add_account(services, "kim@example.org", first_name="Kim")
    sam, kim = app.test_client(), app.test_client()
    sign_in(sam, "sam@example.org")
    sign_in(kim, "kim@example.org")

    reply = kim.post(f"/admin/people/{user_id}/end-sessions", data={"csrf_token": csrf_token(kim)})

    assert reply.status_code == 403
    assert _signed_in(sam)
    assert _open_sessions(services, user_id) == 1


def test_a_session_key_that_was_never_issued_opens_nothing(app, services):
    user_id = add_account(services, "sam@example.org")
    with app.test_request_context():
        from web.identity import load_account

        for key in (
            str(user_id),
            f"{user_id}:",
            f"{user_id}:made-up-token",
            "x:y",
            "",
            f"{user_id}:{'a' * 500}",
        ):
            assert load_account(key) is None


def test_no_session_outlives_a_day_even_if_its_cookie_is_kept_alive(app, services):
    user_id = add_account(services, "sam@example.org")
    with services.uow() as uow:
        key = sign_in_sessions.start(uow.session, user_id, services.clock.now())
        uow.commit()
    with app.test_request_context():
        from web.identity import load_account

        services.clock.advance(sign_in_sessions.LIFETIME.total_seconds() - 60)
        assert load_account(key) is not None
        services.clock.advance(120)
        assert load_account(key) is None


def test_the_workers_upkeep_forgets_sessions_that_are_over_and_keeps_open_ones(app, services):
    user_id = add_account(services, "sam@example.org")
    with services.uow() as uow:
        old = sign_in_sessions.start(uow.session, user_id, services.clock.now())
        uow.commit()
    services.clock.advance(sign_in_sessions.LIFETIME.total_seconds() + 1)
    with services.uow() as uow:
        ended = sign_in_sessions.start(uow.session, user_id, services.clock.now())
        sign_in_sessions.start(uow.session, user_id, services.clock.now())  # still open
        sign_in_sessions.end(uow.session, ended, services.clock.now())
        uow.commit()

    assert accounts.forget_finished_sessions(services.uow(), services.clock) == 2
    assert _open_sessions(services, user_id) == 1
    with app.test_request_context():
        from web.identity import load_account

        assert load_account(old) is None and load_account(ended) is None


def _live(app, client):
    from web.extensions import socketio

    socket = socketio.test_client(app, namespace="/live", flask_test_client=client)
    assert socket.is_connected("/live")
    return socket


def test_signing_out_closes_the_sockets_that_session_opened_and_no_others(app, services):
    add_account(services, "sam@example.org")
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, "sam@example.org")
    sign_in(laptop, "sam@example.org")
    phone_socket, laptop_socket = _live(app, phone), _live(app, laptop)

    phone.post("/sign-out", data={"csrf_token": csrf_token(phone)})

    assert not phone_socket.is_connected("/live")
    assert laptop_socket.is_connected("/live")


def test_signing_out_everywhere_or_an_admin_closes_every_socket_of_the_account(app, services):
    user_id = add_account(services, "sam@example.org")
    add_account(services, "ada@example.org", first_name="Ada", role=Role.ADMIN)
    phone, laptop, admin = app.test_client(), app.test_client(), app.test_client()
    for browser in (phone, laptop):
        sign_in(browser, "sam@example.org")
    sign_in(admin, "ada@example.org")
    sockets = [_live(app, phone), _live(app, laptop)]
    admins_socket = _live(app, admin)

    admin.post(f"/admin/people/{user_id}/end-sessions", data={"csrf_token": csrf_token(admin)})

    assert not any(socket.is_connected("/live") for socket in sockets)
    assert admins_socket.is_connected("/live")

    sign_in(phone, "sam@example.org")
    again = _live(app, phone)
    phone.post("/sign-out-everywhere", data={"csrf_token": csrf_token(phone)})
    assert not again.is_connected("/live")


def test_erasing_ones_account_ends_its_sessions_and_closes_its_sockets_on_every_device(app, services):
    user_id = add_account(services, "sam@example.org")
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, "sam@example.org")
    sign_in(laptop, "sam@example.org")
    laptop_socket = _live(app, laptop)

    erased = phone.post("/account/erase", data={"csrf_token": csrf_token(phone), "confirm": "y"})

    assert erased.status_code == 303
    assert not _signed_in(laptop)
    assert not laptop_socket.is_connected("/live")
    assert _open_sessions(services, user_id) == 0
