"""An organiser's hand on a running phone bank: open it, pause it, resume it, end it (and reopen an
ended one), and end one volunteer's session. Every change is told to the campaign's dashboards at
once; ending and reopening are audited."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from dialer.domain.campaigns import CampaignStatus
from dialer.domain.seats import LIVE_SEAT_STATES
from dialer.errors import Conflict, NotFound
from dialer.models import CallingSession, Campaign
from dialer.ports import UnitOfWork
from dialer.services.calling import sessions, upkeep
from dialer.services.calling.dashboard import CAMPAIGN_EVENT
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor
from dialer.services.phone_bank import PACE_CAMPAIGN, PhoneBank, campaign_room

#: What an organiser may do to a campaign in each status.
CHANGES: dict[str, frozenset[CampaignStatus]] = {
    "open": frozenset({CampaignStatus.DRAFT}),
    "pause": frozenset({CampaignStatus.ACTIVE}),
    "resume": frozenset({CampaignStatus.PAUSED}),
    "end": frozenset({CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED}),
    "reopen": frozenset({CampaignStatus.ENDED}),
}
_AUDITED = {"end": Action.PHONE_BANK_ENDED, "reopen": Action.PHONE_BANK_REOPENED}
ENDED_BY_ORGANISER = "an organiser ended your session"
CAMPAIGN_ENDED = "this phone bank has ended"


def change_status(
    bank: PhoneBank, campaign_id: int, change: str, actor: Actor = audit.SYSTEM
) -> CampaignStatus:
    """Open, pause, resume, end or reopen the phone bank; returns its new status.

    Pausing stops new dials at once (calls in progress finish, and their volunteers record them);
    resuming and reopening queue the voters callable again; ending also ends every volunteer's
    session. Ending and reopening are audited, with how many volunteers were calling.
    """
    with bank.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        allowed = CHANGES.get(change)
        if allowed is None:
            raise NotFound(f"no such change {change!r}")
        if campaign.status not in allowed:
            raise Conflict(f"{campaign.name} is {campaign.status.value}: it cannot be told to {change}")
        if change == "pause":
            campaign.status = CampaignStatus.PAUSED
        elif change == "end":
            campaign.status = CampaignStatus.ENDED
        if change in _AUDITED:
            audit.record(
                uow.session,
                bank.clock,
                actor,
                _AUDITED[change],
                subject_type="campaign",
                subject_id=campaign_id,
                detail={"volunteers_calling": volunteers_calling(uow.session, campaign_id)},
            )
        uow.commit()
    if change in ("open", "resume", "reopen"):
        upkeep.open_phone_bank(bank, campaign_id)
        bank.jobs.enqueue(PACE_CAMPAIGN, campaign_id)
    if change == "end":
        for seat_id, user_id in _live_seats(bank, campaign_id):
            sessions.end_session(bank, user_id, seat_id, reason=CAMPAIGN_ENDED)
    status = {
        "open": CampaignStatus.ACTIVE,
        "resume": CampaignStatus.ACTIVE,
        "reopen": CampaignStatus.ACTIVE,
        "pause": CampaignStatus.PAUSED,
        "end": CampaignStatus.ENDED,
    }[change]
    bank.live.publish(
        campaign_room(campaign_id), CAMPAIGN_EVENT, {"campaign": campaign_id, "status": status.value}
    )
    return status


def volunteers_calling(session: Session, campaign_id: int) -> int:
    """How many volunteers have a live seat in the phone bank (whom ending it would stop)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(CallingSession)
            .where(CallingSession.campaign_id == campaign_id, col(CallingSession.state).in_(LIVE_SEAT_STATES))
        ).one()
    )


def calling_now(uow: UnitOfWork, campaign_id: int) -> int:
    with uow:
        return volunteers_calling(uow.session, campaign_id)


def end_volunteer_session(bank: PhoneBank, campaign_id: int, session_id: int) -> None:
    """An organiser ends a volunteer's session (a voter on the line is hung up on, as when they end it)."""
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id)
        if seat is None or seat.campaign_id != campaign_id:
            raise NotFound("no such calling session in this campaign")
        user_id = seat.user_id
    sessions.end_session(bank, user_id, session_id, reason=ENDED_BY_ORGANISER)


def _live_seats(bank: PhoneBank, campaign_id: int) -> list[tuple[int, int]]:
    with bank.uow() as uow:
        rows = uow.session.exec(
            select(CallingSession.id, CallingSession.user_id).where(
                CallingSession.campaign_id == campaign_id, col(CallingSession.state).in_(LIVE_SEAT_STATES)
            )
        ).all()
    return [(sid, uid) for sid, uid in rows if sid is not None]
