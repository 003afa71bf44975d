"""The audit log: who signed in, viewed, exported or erased personal data, and when.

Entries are written inside the transaction of the action they record, so an action and its audit
entry are kept or lost together. Details hold ids and counts, never the personal data itself (an
audit log that copied names and numbers would defeat erasure).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, func, select

from dialer.clock import Clock
from dialer.models import AuditEntry, User
from dialer.ports import UnitOfWork


class Action(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
    SESSIONS_ENDED = "sessions_ended"
    SIGN_UP = "sign_up"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"
    VOTER_VIEWED = "voter_viewed"
    VOTER_EXPORTED = "voter_exported"
    VOTER_ERASED = "voter_erased"
    CAMPAIGN_EXPORTED = "campaign_exported"
    SUPPRESSION_ADDED = "suppression_added"
    SUPPRESSION_REMOVED = "suppression_removed"
    ORGANISER_GRANTED = "organiser_granted"
    ORGANISER_REVOKED = "organiser_revoked"
    ROLE_CHANGED = "role_changed"


@dataclass(frozen=True)
class Actor:
    """Who is acting (an account id, or None for the system or an anonymous visitor) and from where."""

    user_id: int | None
    ip: str = ""


SYSTEM = Actor(None)


def record(
    session: Session,
    clock: Clock,
    actor: Actor,
    action: Action,
    *,
    subject_type: str = "",
    subject_id: object = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the caller's transaction (the caller commits)."""
    entry = AuditEntry(
        at=clock.now(),
        actor_id=actor.user_id,
        action=action.value,
        subject_type=subject_type,
        subject_id=str(subject_id),
        detail=detail or {},
        ip=actor.ip[:45],
    )
    session.add(entry)
    return entry


def record_now(uow: UnitOfWork, clock: Clock, actor: Actor, action: Action, **kwargs: Any) -> None:
    """Record an entry in a transaction of its own (for views that change nothing else)."""
    with uow:
        record(uow.session, clock, actor, action, **kwargs)
        uow.commit()


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    ip: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    pages: int
    total: int


PAGE_SIZE = 50


def recent(uow: UnitOfWork, *, action: str = "", page: int = 1, page_size: int = PAGE_SIZE) -> AuditPage:
    """Newest entries first, optionally of one action, a page at a time."""
    with uow:
        query = select(AuditEntry, User.email).join(
            User, col(User.id) == col(AuditEntry.actor_id), isouter=True
        )
        count = select(func.count()).select_from(AuditEntry)
        if action:
            query = query.where(AuditEntry.action == action)
            count = count.where(AuditEntry.action == action)
        total = uow.session.exec(count).one()
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        results = uow.session.exec(
            query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        rows = [
            AuditRow(
                id=entry.id or 0,
                at=entry.at.isoformat(timespec="seconds") if entry.at else "",
                actor=email or ("—" if entry.actor_id is None else f"account {entry.actor_id}"),
                action=entry.action,
                subject=f"{entry.subject_type} {entry.subject_id}".strip(),
                detail=entry.detail,
                ip=entry.ip,
            )
            for entry, email in results
        ]
        return AuditPage(rows=rows, page=page, pages=pages, total=total)
