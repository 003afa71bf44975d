"""A volunteer's own progress over every phone bank: conversations, hours called, sign-ups won, and
the badges those reach. Read-only; counted from SQL each time it is asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from dialer.domain.badges import Badge, badges_earned
from dialer.domain.dispositions import Disposition
from dialer.models import CallingSession, CarpoolSeat, EventSignup, Outcome, PledgeSignup
from dialer.ports import UnitOfWork


@dataclass(frozen=True)
class Progress:
    conversations: int
    hours: float
    signups: int
    badges: list[Badge]

    def as_dict(self) -> dict[str, object]:
        return {
            "conversations": self.conversations,
            "hours": round(self.hours, 1),
            "signups": self.signups,
            "badges": [{"key": b.key, "title": b.title} for b in self.badges],
        }


def volunteer_progress(uow: UnitOfWork, user_id: int, *, now: datetime) -> Progress:
    with uow:
        return progress_of(uow.session, user_id, now=now)


def progress_of(session: Session, user_id: int, *, now: datetime) -> Progress:
    conversations = int(
        session.exec(
            select(func.count())
            .select_from(Outcome)
            .where(Outcome.user_id == user_id, Outcome.disposition == Disposition.TALKED)
        ).one()
    )
    sittings = session.exec(
        select(CallingSession.started_at, CallingSession.ended_at).where(CallingSession.user_id == user_id)
    ).all()
    seconds = sum(
        max(0.0, ((ended or now) - started).total_seconds())
        for started, ended in sittings
        if started is not None
    )
    signups = sum(
        int(
            session.exec(
                select(func.count())
                .select_from(table)
                .join(Outcome, col(Outcome.id) == table.outcome_id)
                .where(Outcome.user_id == user_id, *live)
            ).one()
        )
        for table, live in (
            (EventSignup, [col(EventSignup.status) != "cancelled"]),
            (CarpoolSeat, [col(CarpoolSeat.status) != "cancelled"]),
            (PledgeSignup, []),
        )
    )
    hours = seconds / 3600
    return Progress(
        conversations,
        hours,
        signups,
        badges_earned(conversations=conversations, hours=hours, signups=signups),
    )
