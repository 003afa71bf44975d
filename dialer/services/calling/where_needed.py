""" "Call where you're needed": the phone bank, among those taking calls now, with the largest live
shortfall (dialer.domain.shortfall), for a volunteer who would rather be sent than choose.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from dialer.domain.campaigns import CampaignStatus
from dialer.domain.need import HALF_CLOSENESS_MAJORITY_PCT, closeness
from dialer.domain.seats import LIVE_SEAT_STATES
from dialer.domain.shortfall import PhoneBankNeed, neediest
from dialer.models import CallingSession, Campaign, CampaignSeat, ElectionResult
from dialer.ports import UnitOfWork
from dialer.services.calling import queueing


def phone_bank_needs(uow: UnitOfWork, *, now: datetime) -> list[PhoneBankNeed]:
    """Each phone bank a volunteer may join now (taking calls, within its calling hours), with its need."""
    with uow:
        session = uow.session
        campaigns = session.exec(select(Campaign).where(Campaign.status == CampaignStatus.ACTIVE)).all()
        return [
            PhoneBankNeed(
                campaign_id=campaign.id or 0,
                voters_left=queueing.voters_waiting(session, campaign),
                closeness=_closest_seat(session, campaign),
                volunteers_calling=_calling(session, campaign.id or 0),
            )
            for campaign in campaigns
            if queueing.hours_of(campaign).is_open(now)
        ]


def neediest_phone_bank(uow: UnitOfWork, *, now: datetime) -> int | None:
    """The campaign id of the phone bank that needs a volunteer most now (None: none can use one)."""
    found = neediest(phone_bank_needs(uow, now=now))
    return found.campaign_id if found else None


def _closest_seat(session: Session, campaign: Campaign) -> float:
    """The closeness of the campaign's closest target seat at its election; a seat with no result
    known counts as a 5% seat (closeness 1/2), neither safe nor a dead heat."""
    majorities = session.exec(
        select(ElectionResult.majority_pct)
        .join(CampaignSeat, col(CampaignSeat.ons_code) == ElectionResult.ons_code)
        .where(CampaignSeat.campaign_id == campaign.id, ElectionResult.election == campaign.election)
    ).all()
    return closeness(min(majorities, default=HALF_CLOSENESS_MAJORITY_PCT))


def _calling(session: Session, campaign_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(CallingSession)
            .where(CallingSession.campaign_id == campaign_id, col(CallingSession.state).in_(LIVE_SEAT_STATES))
        ).one()
    )
