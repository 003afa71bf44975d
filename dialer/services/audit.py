"""The audit log: who signed in, viewed, exported or erased personal data, and when.

Entries are written inside the transaction of the action they record, so an action and its audit
entry are kept or lost together. Details hold ids and counts, never the personal data itself (an
audit log that copied names and numbers would defeat erasure).

Entries are hash-chained (dialer/domain/audit_chain.py): each takes its turn on the chain's head row,
links to the entry before it, and `verify` (`dialer audit verify`) finds the first entry that was
changed, removed or slipped in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, func, select

from dialer.clock import Clock
from dialer.domain import audit_chain
from dialer.models import AuditChainHead, AuditEntry, User
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
    VOTERS_UPLOADED = "voters_uploaded"
    VOTERS_IMPORTED = "voters_imported"
    CAMPAIGN_SETTINGS_CHANGED = "campaign_settings_changed"
    PLEDGE_CREATED = "pledge_created"
    PLEDGE_OPENED = "pledge_opened"
    PLEDGE_CLOSED = "pledge_closed"
    EVENT_CAPACITY_CHANGED = "event_capacity_changed"


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
    """Add an entry to the caller's transaction (the caller commits), linked into the chain.

    The chain's head row stays locked until the caller's transaction ends, so entries are linked
    one transaction at a time, in the order their transactions reach this point.
    """
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
    session.flush()  # the id is part of the link
    head = session.exec(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()).first()
    if head is None:  # an emptied database: the chain starts again
        head = AuditChainHead(id=1, last_id=0, last_hash=audit_chain.GENESIS)
    entry.chain_hash = audit_chain.link(head.last_hash, _chained(entry))
    head.last_id, head.last_hash = entry.id or 0, entry.chain_hash
    session.add(entry)
    session.add(head)
    return entry


def _chained(entry: AuditEntry) -> audit_chain.Chained:
    assert entry.id is not None and entry.at is not None
    return audit_chain.Chained(
        id=entry.id,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
    )


@dataclass(frozen=True)
class Verification:
    """What `verify` found: how many entries are chained, and the first broken link if any."""

    chained: int
    unchained: int  # written before the log was chained, at its start
    last_id: int
    last_hash: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


_BATCH = 1000


def verify(uow: UnitOfWork) -> Verification:
    """Walk the log in id order, recomputing every link; stop at the first that does not hold."""
    chained = unchained = last_id = 0
    previous = audit_chain.GENESIS
    with uow:
        after = 0
        while True:
            batch = uow.session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.id) > after)
                .order_by(col(AuditEntry.id))
                .limit(_BATCH)
            ).all()
            if not batch:
                break
            for entry in batch:
                assert entry.id is not None
                after = entry.id
                if not entry.chain_hash and chained == 0:
                    unchained += 1
                    continue
                if entry.chain_hash != audit_chain.link(previous, _chained(entry)):
                    return Verification(
                        chained,
                        unchained,
                        last_id,
                        previous,
                        broken_at=entry.id,
                        problem="its link does not match: the entry was changed, or one before it removed",
                    )
                chained += 1
                last_id, previous = entry.id, entry.chain_hash
        head = uow.session.get(AuditChainHead, 1)
    if head is not None and (head.last_id, head.last_hash) != (last_id, previous):
        return Verification(
            chained,
            unchained,
            last_id,
            previous,
            broken_at=head.last_id,
            problem=f"the newest entries were removed: the chain's head is entry #{head.last_id}",
        )
    return Verification(chained, unchained, last_id, previous)


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
