"""The do-not-call list, across every campaign: opt-outs are immediate and absolute.

A number on the list is never dialled by any campaign. The dialer asks `is_suppressed` (or
`suppressed_among` for a batch) when it picks voters. Every way onto the list goes through
`suppress_numbers` (or `mark_do_not_call` for one voter), inside the caller's own transaction: a
volunteer's "do not call" or "deceased" on a call, a canvasser's "do not contact again" at a door,
a do-not-call column in a voter import, an admin. The opt-out is in force the moment that is saved:
the number's records in every campaign are flagged in the same commit, and each addition is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from dialer.clock import Clock
from dialer.domain.phones import fingerprint, masked, normalise_phone
from dialer.errors import InvalidInput, NotFound
from dialer.models import SuppressionEntry, Voter
from dialer.ports import UnitOfWork
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor


class Reason(StrEnum):
    OPT_OUT = "opt_out"  # the person asked not to be called (on a call, by letter, by e-mail...)
    TPS = "tps"  # registered with the Telephone Preference Service
    WRONG_NUMBER = "wrong_number"
    DECEASED = "deceased"
    ADMIN = "admin"  # added by an admin for another reason (say why in the source)


REASON_LABELS = {
    Reason.OPT_OUT: "Asked not to be called",
    Reason.TPS: "Registered with the TPS",
    Reason.WRONG_NUMBER: "Wrong number",
    Reason.DECEASED: "Deceased",
    Reason.ADMIN: "Other (see note)",
}


#: Numbers per IN (...) query.
_BATCH = 500


def is_suppressed(session: Session, phone_e164: str) -> bool:
    """True when nobody may call this number (the dialer's last check before every dial)."""
    return (
        session.exec(select(SuppressionEntry.id).where(SuppressionEntry.phone_e164 == phone_e164)).first()
        is not None
    )


def listed_numbers(session: Session) -> set[str]:
    """Every number on the list (what the dialer's Redis mirror of it is rebuilt from)."""
    return {
        phone
        for phone in session.exec(
            select(SuppressionEntry.phone_e164).where(col(SuppressionEntry.phone_e164).is_not(None))
        ).all()
        if phone
    }


def erased_among(session: Session, phones: Iterable[str], key: bytes) -> set[str]:
    """Which of these numbers belong to erased people who asked not to be called (their entries keep
    only the number's fingerprint): a list imported later must not bring them back."""
    by_print = {fingerprint(phone, key): phone for phone in set(phones)}
    prints = sorted(by_print)
    found: set[str] = set()
    for start in range(0, len(prints), _BATCH):
        found.update(
            by_print[kept]
            for kept in session.exec(
                select(SuppressionEntry.fingerprint).where(
                    col(SuppressionEntry.fingerprint).in_(prints[start : start + _BATCH])
                )
            ).all()
            if kept
        )
    return found


def keep_only_fingerprints(session: Session, phones: Iterable[str], key: bytes) -> int:
    """An erasure: the entries of these numbers keep their reason, and of the number only its
    fingerprint (so the opt-out stays absolute). Returns how many entries were kept so."""
    kept = 0
    for phone in sorted(set(phones)):
        entry = session.exec(select(SuppressionEntry).where(SuppressionEntry.phone_e164 == phone)).first()
        if entry is None:
            continue
        print_ = fingerprint(phone, key)
        if session.exec(select(SuppressionEntry.id).where(SuppressionEntry.fingerprint == print_)).first():
            session.delete(entry)  # erased before, imported and opted out again: one fingerprint
        else:
            entry.phone_e164, entry.fingerprint, entry.source = None, print_, "erased person"
            session.add(entry)
        kept += 1
    return kept


def suppressed_among(session: Session, phones: Iterable[str]) -> set[str]:
    """Which of these numbers are suppressed (one query, for building call queues)."""
    wanted = sorted(set(phones))
    found: set[str] = set()
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        found.update(
            phone
            for phone in session.exec(
                select(SuppressionEntry.phone_e164).where(col(SuppressionEntry.phone_e164).in_(chunk))
            ).all()
            if phone
        )
    return found


def suppress_numbers(
    session: Session, clock: Clock, phones: Iterable[str], reason: Reason, source: str, actor: Actor
) -> list[str]:
    """Put numbers on the list (each once) and stop every campaign calling them, in the caller's
    transaction: every voter record with one of the numbers is flagged do-not-call and done.
    Returns the numbers newly listed (each audited)."""
    wanted = sorted(set(phones))
    if not wanted:
        return []
    listed = suppressed_among(session, wanted)
    for start in range(0, len(wanted), _BATCH):
        session.exec(
            update(Voter)
            .where(col(Voter.phone_e164).in_(wanted[start : start + _BATCH]))
            .values(do_not_call=True, done=True, next_call_at=None)
        )
    entries = [
        SuppressionEntry(
            phone_e164=phone,
            reason=reason.value,
            source=source[:120],
            created_by_id=actor.user_id,
            created_at=clock.now(),
        )
        for phone in wanted
        if phone not in listed
    ]
    session.add_all(entries)
    session.flush()
    for entry in entries:
        audit.record(
            session,
            clock,
            actor,
            Action.SUPPRESSION_ADDED,
            subject_type="suppression",
            subject_id=entry.id,
            detail={"reason": reason.value},
        )
    return [entry.phone_e164 for entry in entries if entry.phone_e164]


def mark_do_not_call(session: Session, clock: Clock, voter: Voter, actor: Actor, *, source: str = "") -> None:
    """A voter asked not to be called: flag them and suppress their number, in the caller's transaction."""
    voter.do_not_call = True
    voter.done = True
    voter.next_call_at = None
    session.add(voter)
    if voter.phone_e164:
        source = source or f"do not call, campaign {voter.campaign_id}"
        suppress_numbers(session, clock, [voter.phone_e164], Reason.OPT_OUT, source, actor)


def record_do_not_call(uow: UnitOfWork, clock: Clock, voter_id: int, actor: Actor) -> None:
    """The use case on its own: the voter with this id asked not to be called again."""
    with uow:
        voter = uow.session.get(Voter, voter_id)
        if voter is None:
            raise NotFound("no such voter")
        mark_do_not_call(uow.session, clock, voter, actor)
        uow.commit()


REASON_CHOICES = tuple(Reason)


def add(uow: UnitOfWork, clock: Clock, actor: Actor, phone: str, reason: str, source: str = "") -> bool:
    """An admin adds a number (any common format; UK by default). False when it was already listed."""
    phone_e164 = normalise_phone(phone)
    try:
        chosen = Reason(reason)
    except ValueError:
        raise InvalidInput("choose a reason from the list") from None
    with uow:
        try:
            added = bool(
                suppress_numbers(uow.session, clock, [phone_e164], chosen, (source or "").strip(), actor)
            )
            uow.commit()
        except IntegrityError:  # the same number added at the same moment by someone else
            return False
    return added


def remove(uow: UnitOfWork, clock: Clock, actor: Actor, entry_id: int) -> None:
    """An admin lifts a suppression: campaigns may call the number again (voters are unflagged)."""
    with uow:
        entry = uow.session.get(SuppressionEntry, entry_id)
        if entry is None:
            raise NotFound("that number is no longer on the list")
        uow.session.exec(
            update(Voter)
            .where(col(Voter.phone_e164) == entry.phone_e164, col(Voter.erased_at).is_(None))
            .values(do_not_call=False)
        )
        uow.session.delete(entry)
        audit.record(
            uow.session,
            clock,
            actor,
            Action.SUPPRESSION_REMOVED,
            subject_type="suppression",
            subject_id=entry_id,
            detail={"reason": entry.reason},
        )
        uow.commit()


@dataclass(frozen=True)
class ListedNumber:
    id: int
    number: str  # masked: the list shows enough to tell entries apart, never whole numbers
    reason: str
    source: str
    added_at: datetime | None


@dataclass(frozen=True)
class SuppressionPage:
    entries: list[ListedNumber]
    total: int
    searched_for: str


def listing(uow: UnitOfWork, *, search: str = "", limit: int = 200) -> SuppressionPage:
    """The newest entries, or the entry for one number when `search` is a phone number."""
    with uow:
        statement = select(SuppressionEntry)
        searched_for = ""
        if search.strip():
            searched_for = normalise_phone(search)
            statement = statement.where(SuppressionEntry.phone_e164 == searched_for)
        total = uow.session.exec(select(func.count()).select_from(SuppressionEntry)).one()
        rows = uow.session.exec(
            statement.order_by(
                col(SuppressionEntry.created_at).desc(), col(SuppressionEntry.id).desc()
            ).limit(limit)
        ).all()
        return SuppressionPage(
            entries=[
                ListedNumber(
                    e.id or 0,
                    masked(e.phone_e164) if e.phone_e164 else "erased (fingerprint kept)",
                    e.reason,
                    e.source,
                    e.created_at,
                )
                for e in rows
            ],
            total=total,
            searched_for=searched_for,
        )
