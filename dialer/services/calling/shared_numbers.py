"""People who share a phone number (a household's landline): what is kept per number holds for all.

Several voters may be on one number, in one campaign or in several. The number is in one call at a
time (the queue's hold on it, `queueing.circumstances`); this module owns the rest of what a number
carries for everyone on it: Ofcom's 72-hour block after an abandoned call, the TPS (a register of
numbers, so a flag on anyone there holds for all), a wrong number, a line
nobody picked up (not rung again for the others at once), and who else a volunteer may be speaking
to when the number answers. The cross-campaign do-not-call list
and "dialled today" are kept by number already (`suppression`, the queue's day hash).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from dialer.domain.dispositions import ABANDON_BLOCK
from dialer.models import CallAttempt, Voter


def block_after_abandon(session: Session, phone: str, *, until: datetime) -> None:
    """No one on `phone`, in any campaign, is called before `until` (Ofcom: 72 hours after an
    abandoned call is a rule about the number, not about the person who was asked for)."""
    session.exec(
        update(Voter)
        .where(
            col(Voter.phone_e164) == phone,
            or_(col(Voter.blocked_until).is_(None), col(Voter.blocked_until) < until),
        )
        .values(blocked_until=until)
    )


def blocked_until(session: Session, phone: str, now: datetime) -> datetime | None:
    """When the 72-hour block of the number's latest abandoned call ends, if it has not yet: it also
    holds for a voter added to a list after the call (their own record knows nothing of it)."""
    latest = session.exec(
        select(func.max(CallAttempt.info_message_at))
        .join(Voter, col(Voter.id) == CallAttempt.voter_id)
        .where(
            col(Voter.phone_e164) == phone,
            col(CallAttempt.abandoned).is_(True),
            col(CallAttempt.info_message_at) > now - ABANDON_BLOCK,
        )
    ).one()
    return None if latest is None else latest + ABANDON_BLOCK


def on_tps(session: Session, phone: str) -> bool:
    """True when any list flags someone on `phone` as TPS-registered (the TPS registers numbers)."""
    return (
        session.exec(
            select(Voter.id).where(col(Voter.phone_e164) == phone, col(Voter.tps).is_(True)).limit(1)
        ).first()
        is not None
    )


def wrong_number(session: Session, campaign_id: int, phone: str) -> list[int]:
    """Nobody on the campaign's list is at `phone`: none of them is called on it again. Returns
    their ids (to take them out of the queue once the change is committed)."""
    ids = list(
        session.exec(
            select(Voter.id).where(
                Voter.campaign_id == campaign_id, col(Voter.phone_e164) == phone, col(Voter.done).is_(False)
            )
        ).all()
    )
    if ids:
        session.exec(update(Voter).where(col(Voter.id).in_(ids)).values(done=True))
    return [voter_id for voter_id in ids if voter_id is not None]


def line_not_picked_up(session: Session, voter: Voter, *, retry_at: datetime | None, now: datetime) -> None:
    """The number rang out, was busy or reached a machine: the others on the campaign's list there
    who are due now wait as long as the voter called (a household is not rung again straight away
    to ask for someone else). A time already set for them, such as a call-back, is kept."""
    if not voter.phone_e164 or retry_at is None:
        return
    session.exec(
        update(Voter)
        .where(
            col(Voter.campaign_id) == voter.campaign_id,
            col(Voter.phone_e164) == voter.phone_e164,
            col(Voter.id) != voter.id,
            col(Voter.done).is_(False),
            or_(col(Voter.next_call_at).is_(None), col(Voter.next_call_at) <= now),
        )
        .values(next_call_at=retry_at)
    )


def household(session: Session, voter: Voter) -> list[Voter]:
    """The other people on the voter's campaign list at the same number (erased people excepted),
    in the order they were added."""
    if not voter.phone_e164:
        return []
    return list(
        session.exec(
            select(Voter)
            .where(
                Voter.campaign_id == voter.campaign_id,
                col(Voter.phone_e164) == voter.phone_e164,
                Voter.id != voter.id,
                col(Voter.erased_at).is_(None),
            )
            .order_by(col(Voter.id))
        ).all()
    )
