"""A signed-in session resolves to the account behind it; a disabled account is signed out."""

from datetime import UTC, datetime

from flask_login import current_user

from dialer.domain.roles import Role
from dialer.models import User
from dialer.services.accounts import sign_in_sessions


def add_user(services, *, active=True, role=Role.VOLUNTEER):
    with services.uow() as uow:
        user = User(
            email="sam@example.org",
            password_hash="$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaA",
            first_name="Sam",
            role=role,
            is_active=active,
            created_at=datetime.now(UTC),
        )
        uow.session.add(user)
        uow.session.flush()
        assert user.id is not None
        key = sign_in_sessions.start(uow.session, user.id, services.clock.now())
        uow.commit()
        return user.id, key


def test_the_session_key_loads_the_account(app, services):
    _user_id, key = add_user(services, role=Role.ADMIN)
    with app.test_request_context():
        from web.identity import load_account

        account = load_account(key)
    assert account is not None
    assert (account.first_name, account.is_admin, account.get_id()) == ("Sam", True, key)


def test_a_disabled_or_unknown_account_or_a_stale_key_is_anonymous(app, services):
    user_id, key = add_user(services, active=False)
    with app.test_request_context():
        from web.identity import load_account

        assert load_account(key) is None
        assert load_account(str(user_id)) is None  # a bare id is not a session key
        assert load_account(f"{user_id}:0000000000000000") is None  # a session never started
        assert load_account("999999:abc") is None
        assert load_account("not-a-number") is None
        assert not current_user.is_authenticated
