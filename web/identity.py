"""Who is making the request: the signed-in account as Flask-Login sees it, and its session's life.

The cookie names a sign-in session kept in SQL (dialer/services/accounts/sign_in_sessions.py), so a session
that has been ended (signing out, "sign out everywhere", a new password, an admin) is refused even
from a copy of its cookie, and the Socket.IO connections it opened are closed on whichever web
process holds them (`close_sockets`, through the Redis message queue). Which sockets a session
opened is kept in Redis for the session's lifetime: lost, those sockets only stay open until they
close themselves, each event they send refused already. Sessions also end after IDLE_LIMIT without a request and SESSION_LIMIT
after signing in, whichever comes first, measured on the services' clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, flash, request, session
from flask_login import UserMixin, current_user, login_user, logout_user

from dialer.adapters.live import NAMESPACE
from dialer.domain.roles import Role
from dialer.services.accounts import accounts, sign_in_sessions
from dialer.services.accounts.accounts import SignedIn
from dialer.services.compliance.audit import Actor
from web.extensions import socketio
from web.services import services

IDLE_LIMIT = timedelta(hours=4)
SESSION_LIMIT = sign_in_sessions.LIFETIME
_SOCKETS = "marginal:live:sockets:"  # + account id: a hash of socket id -> its session's fingerprint
_SIGNED_IN_AT = "signed_in_at"
_SEEN_AT = "seen_at"


@dataclass(frozen=True)
class Account(UserMixin):  # type: ignore[misc]
    """The signed-in user, detached from any database session."""

    id: int
    email: str
    first_name: str
    role: Role
    active: bool = True
    organises: frozenset[int] = frozenset()
    session_key: str = ""

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def may_organise(self) -> bool:
        """May set up campaigns and open the organiser area (organisers and admins)."""
        return self.role in (Role.ORGANISER, Role.ADMIN) or bool(self.organises)

    def get_id(self) -> str:
        return self.session_key or str(self.id)

    @classmethod
    def of(cls, signed: SignedIn) -> Account:
        return cls(
            id=signed.user_id,
            email=signed.email,
            first_name=signed.first_name,
            role=signed.role,
            organises=signed.organises,
            session_key=signed.session_key,
        )


def load_account(session_key: str) -> Account | None:
    """Flask-Login's user loader: the active account this session names, or None (anonymous)."""
    signed = accounts.load(services().uow(), services().clock, session_key)
    return Account.of(signed) if signed is not None else None


def account_id() -> int:
    """The signed-in account's id (for views behind a policy that needs an account)."""
    return int(current_user.id)


def actor() -> Actor:
    """Who is acting in this request, for the audit log: the account (if any) and the client address."""
    user_id = current_user.id if current_user.is_authenticated else None
    return Actor(user_id, request.remote_addr or "")


def start_session(signed: SignedIn) -> None:
    """Sign in: a fresh session (no fixation), kept across browser restarts until it expires."""
    session.clear()
    login_user(Account.of(signed))
    session.permanent = True
    now = services().clock.now().timestamp()
    session[_SIGNED_IN_AT] = now
    session[_SEEN_AT] = now


def end_session() -> None:
    """Sign this browser out, ending its session for every copy of the cookie, and its sockets."""
    if current_user.is_authenticated:
        svc = services()
        key = current_user.get_id()
        accounts.sign_out(svc.uow(), svc.clock, actor(), key)
        close_sockets(account_id(), only=key)
    logout_user()
    session.clear()


def remember_socket(sid: str) -> None:
    """This request's session opened socket `sid`."""
    key = _SOCKETS + str(account_id())
    redis = services().redis
    redis.hset(key, sid, sign_in_sessions.fingerprint(current_user.get_id()))
    redis.expire(key, int(SESSION_LIMIT.total_seconds()))


def close_sockets(user_id: int, *, only: str | None = None) -> None:
    """Disconnect the sockets an account's sessions opened (`only` one session's, by its key)."""
    redis = services().redis
    key = _SOCKETS + str(user_id)
    wanted = sign_in_sessions.fingerprint(only).encode() if only is not None else None
    for sid, fingerprint in redis.hgetall(key).items():
        if wanted is None or fingerprint == wanted:
            socketio.server.disconnect(sid.decode() if isinstance(sid, bytes) else sid, namespace=NAMESPACE)
            redis.hdel(key, sid)


def forget_session() -> None:
    """Drop this browser's cookie only (its session has been ended already)."""
    logout_user()
    session.clear()


def expire_sessions(app: Flask) -> None:
    """Sign out sessions that have been idle, or open, for too long (checked before every request)."""
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIMIT

    @app.before_request
    def _expire() -> None:
        signed_in_at = session.get(_SIGNED_IN_AT)
        if signed_in_at is None:
            return
        now = services().clock.now().timestamp()
        seen_at = session.get(_SEEN_AT, signed_in_at)
        too_idle = now - seen_at >= IDLE_LIMIT.total_seconds()
        too_old = now - signed_in_at >= SESSION_LIMIT.total_seconds()
        if too_idle or too_old:
            end_session()
            flash("Your session expired, so you have been signed out. Please sign in again.", "error")
        elif now - seen_at > 60:  # rewriting the cookie once a minute is enough for idle tracking
            session[_SEEN_AT] = now
