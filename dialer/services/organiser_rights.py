"""Who may run a campaign's events, imports, exports and voter records: its organisers and admins.

One question, asked by every organiser page before it does anything.
"""

from __future__ import annotations

from sqlmodel import Session, select

from dialer.domain.roles import Role
from dialer.models import CampaignOrganiser, User


def may_organise(session: Session, user_id: int, campaign_id: int) -> bool:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return False
    if user.role is Role.ADMIN:
        return True
    link = session.exec(
        select(CampaignOrganiser).where(
            CampaignOrganiser.campaign_id == campaign_id, CampaignOrganiser.user_id == user_id
        )
    ).first()
    return link is not None


def organised_campaign_ids(session: Session, user_id: int) -> list[int] | None:
    """The campaigns this account organises; None means all of them (an admin)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return []
    if user.role is Role.ADMIN:
        return None
    return list(
        session.exec(select(CampaignOrganiser.campaign_id).where(CampaignOrganiser.user_id == user_id))
    )
