"""What the calling screens show: the phone banks open to a volunteer, their seat, the voter card, totals.

Read-only. Nothing here returns a phone number: cards and summaries are built field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from dialer.domain.calling_hours import london_day_start
from dialer.domain.campaigns import CampaignStatus, DialingMode
from dialer.domain.dispositions import DEFAULT_RULES, Disposition
from dialer.domain.retries import campaign_rules
from dialer.domain.seats import LIVE_SEAT_STATES
from dialer.domain.surveys import Question
from dialer.domain.wait_estimate import expected_wait_s
from dialer.errors import NotFound
from dialer.models import (
    CallAttempt,
    CallingSession,
    Campaign,
    CampaignSeat,
    Constituency,
    Outcome,
    PacerState,
    Voter,
)
from dialer.ports import UnitOfWork
from dialer.services.calling import queueing, shared_numbers
from dialer.services.calling.notices import HistoryItem, Housemate, VoterCard, seat_payload
from dialer.services.campaigns.campaigns import survey_of

#: Dispositions a volunteer records (the system records abandoned calls itself).
VOLUNTEER_DISPOSITIONS = [d for d, rule in DEFAULT_RULES.items() if rule.by_volunteer]


@dataclass(frozen=True)
class PhoneBankSummary:
    campaign_id: int
    name: str
    seats: list[str]
    mode: DialingMode
    open_now: bool
    hours: str
    voters_waiting: int
    volunteers_calling: int


@dataclass(frozen=True)
class DispositionChoice:
    value: str
    label: str
    shortcut: str


@dataclass(frozen=True)
class CallingPage:
    campaign_id: int
    name: str
    mode: DialingMode
    script_md: str
    hours: str
    seats: list[str]
    questions: list[Question]
    dispositions: list[DispositionChoice]
    session: dict[str, Any] | None
    totals: dict[str, int] = field(default_factory=dict)


def phone_banks(uow: UnitOfWork, *, now: datetime) -> list[PhoneBankSummary]:
    """Every phone bank taking calls, with how many voters wait and how many volunteers are calling."""
    with uow:
        session = uow.session
        campaigns = session.exec(
            select(Campaign).where(Campaign.status == CampaignStatus.ACTIVE).order_by(col(Campaign.name))
        ).all()
        summaries = []
        for campaign in campaigns:
            assert campaign.id is not None
            hours = queueing.hours_of(campaign)
            calling = session.exec(
                select(func.count())
                .select_from(CallingSession)
                .where(
                    CallingSession.campaign_id == campaign.id, col(CallingSession.state).in_(LIVE_SEAT_STATES)
                )
            ).one()
            summaries.append(
                PhoneBankSummary(
                    campaign_id=campaign.id,
                    name=campaign.name,
                    seats=seat_names(session, campaign.id),
                    mode=campaign.dialing_mode,
                    open_now=hours.is_open(now),
                    hours=hours.describe(),
                    voters_waiting=queueing.voters_waiting(session, campaign),
                    volunteers_calling=int(calling),
                )
            )
        return summaries


def calling_page(uow: UnitOfWork, user_id: int, campaign_id: int, *, now: datetime) -> CallingPage:
    with uow:
        session = uow.session
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.status is not CampaignStatus.ACTIVE:
            raise NotFound("no such phone bank")
        rules = campaign_rules(campaign.retry_overrides)
        seat = session.exec(
            select(CallingSession).where(
                CallingSession.user_id == user_id,
                CallingSession.campaign_id == campaign_id,
                col(CallingSession.state).in_(LIVE_SEAT_STATES),
            )
        ).first()
        return CallingPage(
            campaign_id=campaign_id,
            name=campaign.name,
            mode=campaign.dialing_mode,
            script_md=campaign.script_md,
            hours=queueing.hours_of(campaign).describe(),
            seats=seat_names(session, campaign_id),
            questions=survey_of(session, campaign_id),
            dispositions=[
                DispositionChoice(d.value, rules[d].label, rules[d].shortcut) for d in VOLUNTEER_DISPOSITIONS
            ],
            session=seat_snapshot(session, seat) if seat else None,
            totals=volunteer_totals(
                session, user_id, campaign_id, now=now, seat_id=seat.id if seat else None
            ),
        )


def session_snapshot(uow: UnitOfWork, user_id: int, session_id: int) -> dict[str, Any]:
    """The volunteer's own seat as the page needs it after a reload or a reconnection."""
    with uow:
        seat = uow.session.get(CallingSession, session_id)
        if seat is None or seat.user_id != user_id:
            raise NotFound("no such calling session")
        return seat_snapshot(uow.session, seat)


def seat_snapshot(session: Session, seat: CallingSession) -> dict[str, Any]:
    """The seat as the calling page needs it on (re)load: state, the call and voter on screen."""
    campaign = session.get(Campaign, seat.campaign_id)
    assert campaign is not None
    snapshot = seat_payload(seat)
    voter: Voter | None = None
    call = session.get(CallAttempt, seat.current_call_id) if seat.current_call_id else None
    if call is not None:
        voter = session.get(Voter, call.voter_id)
        snapshot["call_status"] = call.status.value
        snapshot["connected_at"] = call.connected_at.isoformat() if call.connected_at else None
        snapshot["draft"] = call.draft  # what was typed so far, for a reloaded page
    elif seat.preview_voter_id is not None:
        voter = session.get(Voter, seat.preview_voter_id)
    snapshot["preview"] = call is None and voter is not None
    snapshot["voter"] = voter_card(session, voter, campaign).as_dict() if voter else None
    return snapshot


def voter_card(session: Session, voter: Voter, campaign: Campaign) -> VoterCard:
    assert voter.id is not None
    rules = campaign_rules(campaign.retry_overrides)
    outcomes = session.exec(
        select(Outcome).where(Outcome.voter_id == voter.id).order_by(col(Outcome.created_at), col(Outcome.id))
    ).all()
    area = voter.area or (_seat_name(session, voter.ons_code) if voter.ons_code else "") or voter.postcode[:4]
    last_name = voter.last_name if campaign.show_surname and voter.last_name else None
    household = [
        Housemate(other.id or 0, other.first_name, other.last_name if campaign.show_surname else None)
        for other in shared_numbers.household(session, voter)
        if not (other.done or other.do_not_call or other.tps)
    ]
    return VoterCard(
        voter_id=voter.id,
        first_name=voter.first_name,
        last_name=last_name,
        ask_for=" ".join(filter(None, (voter.first_name, last_name))) if household else None,
        household=household,
        area=area,
        attempts=voter.attempts,
        history=[
            HistoryItem(
                o.created_at.date().isoformat() if o.created_at else "",
                rules[Disposition(o.disposition)].label,
            )
            for o in outcomes
        ],
    )


def volunteer_totals(
    session: Session, user_id: int, campaign_id: int, *, now: datetime, seat_id: int | None = None
) -> dict[str, int]:
    """The volunteer's own counts for this phone bank: calls taken and conversations, in this sitting
    (the seat `seat_id`; 0 without one), today and ever."""
    connected = (
        select(func.count())
        .select_from(CallAttempt)
        .join(CallingSession, col(CallingSession.id) == CallAttempt.session_id)
        .where(
            CallingSession.user_id == user_id,
            CallAttempt.campaign_id == campaign_id,
            col(CallAttempt.connected_at).is_not(None),
        )
    )
    talked = (
        select(func.count())
        .select_from(Outcome)
        .where(
            Outcome.user_id == user_id,
            Outcome.campaign_id == campaign_id,
            Outcome.disposition == Disposition.TALKED,
        )
    )
    today = london_day_start(now)
    in_sitting = (
        talked.join(CallAttempt, col(CallAttempt.id) == Outcome.call_attempt_id).where(
            CallAttempt.session_id == seat_id
        )
        if seat_id is not None
        else None
    )
    return {
        "calls_session": int(session.exec(connected.where(CallAttempt.session_id == seat_id)).one())
        if seat_id is not None
        else 0,
        "conversations_session": int(session.exec(in_sitting).one()) if in_sitting is not None else 0,
        "calls": int(session.exec(connected).one()),
        "calls_today": int(session.exec(connected.where(CallAttempt.connected_at >= today)).one()),  # type: ignore[operator]
        "conversations": int(session.exec(talked).one()),
        "conversations_today": int(session.exec(talked.where(Outcome.created_at >= today)).one()),  # type: ignore[operator]
    }


#: The dials a wait estimate is drawn from: the campaign's most recent, within this window.
WAIT_WINDOW = timedelta(minutes=30)
WAIT_DIALS = 500


def wait_estimate(uow: UnitOfWork, campaign_id: int, *, now: datetime) -> int | None:
    """Seconds a ready volunteer of this phone bank can expect to wait for a voter (None: too few
    recent dials to say), from how long its recent dials took and the pacer's lines per seat."""
    with uow:
        session = uow.session
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.status is not CampaignStatus.ACTIVE:
            raise NotFound("no such phone bank")
        dials = session.exec(
            select(CallAttempt.placed_at, CallAttempt.connected_at, CallAttempt.ended_at)
            .where(
                CallAttempt.campaign_id == campaign_id,
                col(CallAttempt.placed_at) >= now - WAIT_WINDOW,
                col(CallAttempt.connected_at).is_not(None) | col(CallAttempt.ended_at).is_not(None),
            )
            .order_by(col(CallAttempt.placed_at).desc())
            .limit(WAIT_DIALS)
        ).all()
        pacer = session.get(PacerState, campaign_id)
        lines = pacer.dial_level if pacer and campaign.dialing_mode is DialingMode.PREDICTIVE else 1.0
    seconds = [
        (decided - placed).total_seconds()
        for placed, connected, ended in dials
        if placed is not None and (decided := connected or ended) is not None
    ]
    conversations = sum(1 for _, connected, _ in dials if connected is not None)
    return expected_wait_s(seconds, conversations, lines)


def seat_names(session: Session, campaign_id: int) -> list[str]:
    return list(
        session.exec(
            select(Constituency.name)
            .join(CampaignSeat, col(CampaignSeat.ons_code) == Constituency.ons_code)
            .where(CampaignSeat.campaign_id == campaign_id)
            .order_by(col(Constituency.name))
        ).all()
    )


def _seat_name(session: Session, ons_code: str) -> str:
    seat = session.get(Constituency, ons_code)
    return seat.name if seat else ""
