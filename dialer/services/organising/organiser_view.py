"""What the organiser's home page lists: the phone banks they run (every one, for admins)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, func, select

from dialer.domain.campaigns import CampaignStatus
from dialer.domain.seats import LIVE_SEAT_STATES
from dialer.models import CallingSession, Campaign, CampaignOrganiser, Voter
from dialer.ports import UnitOfWork
from dialer.services.calling.calling_view import seat_names


@dataclass(frozen=True)
class CampaignLine:
    id: int
    name: str
    status: CampaignStatus
    seats: list[str]
    voters: int
    calling_now: int


def campaigns_run_by(uow: UnitOfWork, user_id: int, *, everyone: bool = False) -> list[CampaignLine]:
    with uow:
        session = uow.session
        query = select(Campaign).order_by(col(Campaign.status) == CampaignStatus.ENDED, col(Campaign.name))
        if not everyone:
            query = query.join(CampaignOrganiser, col(CampaignOrganiser.campaign_id) == Campaign.id).where(
                CampaignOrganiser.user_id == user_id
            )
        campaigns = session.exec(query).all()
        ids = [c.id for c in campaigns]
        voters = dict(
            session.exec(
                select(Voter.campaign_id, func.count())
                .where(col(Voter.campaign_id).in_(ids))
                .group_by(col(Voter.campaign_id))
            ).all()
        )
        calling = dict(
            session.exec(
                select(CallingSession.campaign_id, func.count())
                .where(
                    col(CallingSession.campaign_id).in_(ids), col(CallingSession.state).in_(LIVE_SEAT_STATES)
                )
                .group_by(col(CallingSession.campaign_id))
            ).all()
        )
        return [
            CampaignLine(
                id=c.id or 0,
                name=c.name,
                status=c.status,
                seats=seat_names(session, c.id or 0),
                voters=int(voters.get(c.id or 0, 0)),
                calling_now=int(calling.get(c.id or 0, 0)),
            )
            for c in campaigns
        ]
