"""A signed-in session resolves to the account behind it; a disabled account is signed out."""

from datetime import UTC, datetime

from flask_login import current_user

from dialer.domain.roles import Role
from dialer.models import User


def add_user(services, *, active=True, role=Role.VOLUNTEER):
    with services.uow() as uow:
        user = User(
            email="sam@example.org",
            password_hash="x",
            first_name="Sam",
            role=role,
            is_active=active,
            created_at=datetime.now(UTC),
        )
        uow.session.add(user)
        uow.commit()
        return user.id


def test_the_session_user_id_loads_the_account(app, services):
    user_id = add_user(services, role=Role.ADMIN)
    with app.test_request_context():
        from web.identity import load_account

        account = load_account(str(user_id))
    assert account is not None
    assert (account.first_name, account.is_admin) == ("Sam", True)


def test_a_disabled_or_unknown_account_is_anonymous(app, services):
    user_id = add_user(services, active=False)
    with app.test_request_context():
        from web.identity import load_account

        assert load_account(str(user_id)) is None
        assert load_account("999999") is None
        assert load_account("not-a-number") is None
        assert not current_user.is_authenticated
