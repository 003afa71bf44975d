"""Who is making the request: the signed-in account, as Flask-Login sees it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import UserMixin

from dialer.domain.roles import Role
from dialer.models import User
from web.services import services


@dataclass(frozen=True)
class Account(UserMixin):  # type: ignore[misc]
    """The signed-in user, detached from any database session."""

    id: int
    email: str
    first_name: str
    role: Role
    active: bool = True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @classmethod
    def of(cls, user: User) -> Account:
        assert user.id is not None
        return cls(user.id, user.email, user.first_name, Role(user.role), user.is_active)


def load_account(user_id: str) -> Account | None:
    """Flask-Login's user loader: the active account with this id, or None (anonymous)."""
    if not user_id.isdigit():
        return None
    with services().uow() as uow:
        user = uow.session.get(User, int(user_id))
        return Account.of(user) if user is not None and user.is_active else None
