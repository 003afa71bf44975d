"""The audit log: who signed in, viewed, exported or erased personal data, and when.

Entries are written inside the transaction of the action they record, so an action and its audit
entry are kept or lost together. Details hold ids and counts, never the personal data itself (an
audit log that copied names and numbers would defeat erasure).

Entries are hash-chained (dialer/domain/audit_chain.py). An entry is written when its transaction
commits: the transaction takes the chain's head row, inserts its entries (so ids follow the chain)
linked one after the other, and holds the head until the commit is done. The head is the last lock
a transaction takes, so it never waits for a row while others wait for it. `verify` (`dialer audit
verify`) finds the first entry that was changed, removed or slipped in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as AnySession
from sqlmodel import Session, col, func, select

from dialer.clock import Clock
from dialer.domain import audit_chain
from dialer.models import AuditChainHead, AuditEntry, User
from dialer.ports import UnitOfWork
from dialer.services.row_locks import hold


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
    ACCOUNT_EXPORTED = "account_exported"
    ACCOUNT_ERASED = "account_erased"
    CANVASSER_APPROVED = "canvasser_approved"
    CANVASSER_WITHDRAWN = "canvasser_withdrawn"
    PHONE_BANK_ENDED = "phone_bank_ended"
    PHONE_BANK_REOPENED = "phone_bank_reopened"
    ANY_PHONE_ALLOWED = "any_phone_allowed"
    KNOCK_UP_SLOT_PUBLISHED = "knock_up_slot_published"
    KNOCK_UP_PLACES_CHANGED = "knock_up_places_changed"


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
    """Add an entry to the caller's transaction: it is written, linked into the chain, when the
    caller commits (and not at all if the caller does not)."""
    entry = AuditEntry(
        at=clock.now(),
        actor_id=actor.user_id,
        action=action.value,
        subject_type=subject_type,
        subject_id=str(subject_id),
        detail=detail or {},
        ip=actor.ip[:45],
    )
    session.info.setdefault(_PENDING, []).append(entry)
    return entry


_PENDING = "marginal.audit.pending"


@event.listens_for(AnySession, "before_commit")  # every session: an entry is never silently dropped
def _link_pending(session: Session) -> None:
    pending: list[AuditEntry] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()  # the transaction's own writes first: the head is its last lock
    # An UPDATE, not SELECT ... FOR UPDATE, which SQLite ignores: on both databases it waits for the
    # transaction holding the head, after which the head is read as that transaction left it.
    if not hold(session, AuditChainHead, 1, "last_id"):
        _start_chain(session)
        hold(session, AuditChainHead, 1, "last_id")
    head = session.get(AuditChainHead, 1, populate_existing=True)
    assert head is not None
    for entry in pending:
        session.add(entry)
        session.flush()  # the id, part of the link
        entry.chain_hash = audit_chain.link(head.last_hash, _chained(entry))
        head.last_id, head.last_hash = entry.id or 0, entry.chain_hash
    session.add(head)


def _start_chain(session: Session) -> None:
    """An emptied database (the migration makes the head): the chain starts again. Another
    transaction may be starting it at the same moment; then theirs is the head."""
    try:
        with session.begin_nested():
            session.add(AuditChainHead(id=1, last_id=0, last_hash=audit_chain.GENESIS))
    except IntegrityError:
        pass


@event.listens_for(AnySession, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


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
