"""Sign-in sessions: which signed-in browsers an account has, and ending them.

A browser's cookie carries `<account id>:<token>`; only the token's SHA-256 is stored, so the table
alone opens no session. A session works until it is ended: signing out ends that one (every copy of
its cookie), and "sign out everywhere", a new password or an admin end all of an account's. No
session outlives LIFETIME, whatever its cookie says; the workers' upkeep deletes the rows of
sessions that are over (`forget_finished`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from dialer.models import SignInSession, User

_TOKEN_BYTES = 32
#: The longest a session lasts after signing in.
LIFETIME = timedelta(hours=24)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def fingerprint(key: str) -> str:
    """What the database knows this session by (never the key itself); "" for a malformed key."""
    parsed = _parse(key)
    return _hash(parsed[1]) if parsed else ""


def start(session: Session, user_id: int, now: datetime) -> str:
    """A new session for this account, in the caller's transaction; returns the cookie's key."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    session.add(SignInSession(user_id=user_id, token_hash=_hash(token), started_at=now))
    return f"{user_id}:{token}"


def _parse(key: str) -> tuple[int, str] | None:
    user_id, _, token = key.partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 12 or not 0 < len(token) <= 100:
        return None
    return int(user_id), token


def account_of(session: Session, key: str, now: datetime) -> User | None:
    """The account whose session this key names, while the session has not ended (else None)."""
    parsed = _parse(key)
    if parsed is None:
        return None
    user_id, token = parsed
    return session.exec(
        select(User)
        .join(SignInSession, col(SignInSession.user_id) == col(User.id))
        .where(
            col(User.id) == user_id,
            col(SignInSession.token_hash) == _hash(token),
            col(SignInSession.ended_at).is_(None),
            col(SignInSession.started_at) > now - LIFETIME,
        )
    ).first()


def end(session: Session, key: str, now: datetime) -> None:
    """End the session this key names (nothing happens for an unknown or ended one)."""
    parsed = _parse(key)
    if parsed is None:
        return
    user_id, token = parsed
    session.execute(
        update(SignInSession)
        .where(
            col(SignInSession.user_id) == user_id,
            col(SignInSession.token_hash) == _hash(token),
            col(SignInSession.ended_at).is_(None),
        )
        .values(ended_at=now)
    )


def end_all(session: Session, user_id: int, now: datetime) -> int:
    """End every open session of this account; returns how many there were."""
    result = session.execute(
        update(SignInSession)
        .where(col(SignInSession.user_id) == user_id, col(SignInSession.ended_at).is_(None))
        .values(ended_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_finished(session: Session, now: datetime) -> int:
    """Delete the rows of sessions that have ended or outlived LIFETIME; returns how many."""
    result = session.execute(
        delete(SignInSession).where(
            or_(col(SignInSession.ended_at).is_not(None), col(SignInSession.started_at) <= now - LIFETIME)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
