"""A phone bank's volunteer leaderboard: only volunteers who opted in, by first name, ranked by the
conversations they have had for it. Anyone calling for the phone bank may read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select

from dialer.domain.campaigns import CampaignStatus
from dialer.domain.dispositions import Disposition
from dialer.errors import NotFound
from dialer.models import Campaign, LeaderboardOptIn, Outcome, User
from dialer.ports import UnitOfWork

#: How many volunteers the leaderboard lists.
TOP = 10


@dataclass(frozen=True)
class Standing:
    rank: int
    first_name: str
    conversations: int
    you: bool


@dataclass(frozen=True)
class Leaderboard:
    showing_you: bool
    standings: list[Standing]

    def as_dict(self) -> dict[str, object]:
        return {
            "showing_you": self.showing_you,
            "standings": [
                {"rank": s.rank, "first_name": s.first_name, "conversations": s.conversations, "you": s.you}
                for s in self.standings
            ],
        }


def show_me(uow: UnitOfWork, campaign_id: int, user_id: int, shown: bool, *, now: datetime) -> None:
    """Opt in to (or out of) the phone bank's leaderboard."""
    with uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None or campaign.status is not CampaignStatus.ACTIVE:
            raise NotFound("no such phone bank")
        existing = uow.session.get(LeaderboardOptIn, (campaign_id, user_id))
        if shown and existing is None:
            uow.session.add(LeaderboardOptIn(campaign_id=campaign_id, user_id=user_id, created_at=now))
        elif not shown and existing is not None:
            uow.session.delete(existing)
        uow.commit()


def leaderboard(uow: UnitOfWork, campaign_id: int, user_id: int) -> Leaderboard:
    with uow:
        session = uow.session
        talked = func.count(col(Outcome.id))
        rows = session.exec(
            select(User.id, User.first_name, talked)
            .join(LeaderboardOptIn, col(LeaderboardOptIn.user_id) == User.id)
            .join(
                Outcome,
                (col(Outcome.user_id) == User.id)
                & (col(Outcome.campaign_id) == campaign_id)
                & (col(Outcome.disposition) == Disposition.TALKED),
                isouter=True,
            )
            .where(LeaderboardOptIn.campaign_id == campaign_id)
            .group_by(col(User.id), col(User.first_name))
            .order_by(talked.desc(), col(User.first_name), col(User.id))
            .limit(TOP)
        ).all()
        showing = session.get(LeaderboardOptIn, (campaign_id, user_id)) is not None
    return Leaderboard(
        showing,
        [Standing(n, name, int(count), uid == user_id) for n, (uid, name, count) in enumerate(rows, start=1)],
    )
