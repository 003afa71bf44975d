"""Predictive dialing for one campaign: the domain's pacer and compliance governor, fed from the SQL record.

Everything the pacer learns is read back from the campaign's recent calls (answer ages, talk and
wrap-up times), and the governor's rates from its answered calls over 24 hours and today, so
nothing is lost when a worker or Redis restarts. The governor's own state (its integral and whether
it is braked) is kept in the campaign's PacerState row, which also serialises pacing: two pacing
jobs for one campaign take turns, so they never dial twice for the same free seats. Calls are
dialled without a seat; the answer webhook gives an answered call any idle seat, or the
information message (`call_events.on_answer`). The pacer runs when a seat is ready again, when a
call it placed ends, and every PACE_AGAIN while the team is calling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from dialer.domain import seats as seat_states
from dialer.domain.calling_hours import london_day_start
from dialer.domain.calls import MACHINE_ANSWERS, CallStatus
from dialer.domain.campaigns import CampaignStatus, DialingMode
from dialer.domain.compliance_governor import (
    ROLLING_WINDOW,
    AbandonCounts,
    GovernorSettings,
    GovernorState,
    braking_rate,
    governed,
)
from dialer.domain.pacing import PacerMode, PacerSettings, PacingDecision, SeatsNow, decide
from dialer.domain.pacing_estimates import SessionEstimates
from dialer.models import CallAttempt, CallingSession, Campaign, Outcome, PacerState
from dialer.services import row_locks
from dialer.services.calling import queueing
from dialer.services.phone_bank import PACE_CAMPAIGN, PLACE_CALL, PhoneBank, campaign_room

#: While a predictive team is calling, the pacer looks again this often (besides every call's end).
PACE_AGAIN = timedelta(seconds=2)
#: How often the governor's integral moves (the brake is checked on every pacing run).
GOVERN_EVERY = timedelta(seconds=30)
#: What the pacer learns from: the campaign's calls placed this recently, newest first, at most this many.
LEARN_FROM = timedelta(hours=2)
LEARN_LIMIT = 800
#: The live event the organiser's dashboard repaints the pacer's state from.
PACER_EVENT = "pacer"
GOVERNOR = GovernorSettings()
PACER = PacerSettings()
_RINGING = (CallStatus.QUEUED, CallStatus.INITIATED, CallStatus.RINGING)


@dataclass(frozen=True)
class AbandonReading:
    """A campaign's Ofcom figures now: over a rolling 24 hours and since midnight (London)."""

    rolling_24h: AbandonCounts
    today: AbandonCounts

    def binding(self) -> AbandonCounts:
        """The window with the higher rate: the one the governor must keep under the limit."""
        fp = GOVERNOR.machine_false_positive_rate
        return max((self.rolling_24h, self.today), key=lambda counts: counts.rate(fp))


def pace_predictive(bank: PhoneBank, campaign_id: int) -> int:
    """Dial ahead for a predictive campaign; returns how many calls it queued."""
    now = bank.clock.now()
    placed: list[int] = []
    with bank.uow() as uow:
        session = uow.session
        if not row_locks.hold(session, Campaign, campaign_id, "name"):
            return 0
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.status is not CampaignStatus.ACTIVE:
            return 0
        if not queueing.hours_of(campaign).is_open(now):
            return 0
        row = session.get(PacerState, campaign_id) or PacerState(
            campaign_id=campaign_id, overflow_allowed=GOVERNOR.start_overflow
        )
        before = (row.mode, row.braked, row.governed_at)
        reading = abandon_reading(session, campaign_id, now)
        state = _govern(row, reading, now)
        due = bank.queue.next_due(campaign_id)
        seats = seats_now(session, campaign_id, now, bank.calls_per_second)
        decision = (
            PacingDecision(0, PacerMode(row.mode), row.dial_level)
            if due is None or due > now
            else decide(
                seats,
                learnt(session, campaign, now),
                overflow_allowed=state.overflow_allowed,
                braked=state.braked,
                settings=PACER,
            )
        )
        for _ in range(decision.dials):
            claimed = queueing.claim_callable_voter(bank, session, campaign, now)
            if claimed is None:
                break
            call = CallAttempt(
                campaign_id=campaign_id,
                voter_id=claimed.voter.id or 0,
                session_id=None,
                mode=DialingMode.PREDICTIVE,
                placed_at=now,
            )
            session.add(call)
            session.flush()
            placed.append(call.id or 0)
        row.mode, row.dial_level, row.paced_at = decision.mode.value, decision.dial_level, now
        session.add(row)
        uow.commit()
        changed = (row.mode, row.braked, row.governed_at) != before
        payload = pacer_payload(row)
    for call_id in placed:
        bank.jobs.enqueue(PLACE_CALL, call_id)
    if seats.team:  # busy seats grow likelier to free as time passes: look again soon
        bank.jobs.enqueue(
            PACE_CAMPAIGN, campaign_id, at=now + PACE_AGAIN, job_id=f"pace-predictive-{campaign_id}"
        )
    if changed:
        bank.live.publish(campaign_room(campaign_id), PACER_EVENT, {"campaign": campaign_id, **payload})
    return len(placed)


def pacer_payload(row: PacerState | None) -> dict[str, Any]:
    """The pacer's state as the organiser's dashboard shows it (percentages, for the 3% line)."""
    if row is None:
        return {"mode": None, "braked": False, "dial_level": None, "abandon_24h_pct": None}
    return {
        "mode": row.mode,
        "braked": row.braked,
        "dial_level": round(row.dial_level, 2),
        "overflow_allowed_pct": round(100 * row.overflow_allowed, 2),
        "abandon_24h_pct": round(100 * row.abandon_rate_24h, 2),
        "abandon_today_pct": round(100 * row.abandon_rate_today, 2),
        "paced_at": row.paced_at.isoformat() if row.paced_at else None,
    }


def pacer_state(session: Session, campaign_id: int) -> dict[str, Any]:
    return pacer_payload(session.get(PacerState, campaign_id))


def _govern(row: PacerState, reading: AbandonReading, now: datetime) -> GovernorState:
    """Move the governor on (its integral every GOVERN_EVERY, its brake every time) and keep it in the row."""
    counts = reading.binding()
    state = GovernorState(row.overflow_allowed, row.braked)
    due = row.governed_at is None or now - row.governed_at >= GOVERN_EVERY
    if due or (not state.braked and braking_rate(counts, GOVERNOR) >= GOVERNOR.brake_at):
        state = governed(state, counts, GOVERNOR)
        row.governed_at = now
    fp = GOVERNOR.machine_false_positive_rate
    row.overflow_allowed, row.braked = state.overflow_allowed, state.braked
    row.abandon_rate_24h = reading.rolling_24h.rate(fp)
    row.abandon_rate_today = reading.today.rate(fp)
    return state


def abandon_reading(session: Session, campaign_id: int, now: datetime) -> AbandonReading:
    """Ofcom's counts for the campaign's calls answered in the last 24 hours and today, in one query
    (today, since London's midnight, lies within the 24 hours).

    Live: put through to a volunteer, or abandoned (without detection the answer webhook cannot tell
    a machine from a person, so every abandoned answer counts, which can only overstate the rate).
    Turned away: answers a campaign's detection (`Campaign.amd_enabled`, off by default) classified
    as machines, which the answer webhook hung up on before any seat; some were people.
    """
    answered = col(CallAttempt.answered_at)
    today = answered >= london_day_start(now)
    live = col(CallAttempt.connected_at).is_not(None) | col(CallAttempt.abandoned)
    abandoned = col(CallAttempt.abandoned)
    turned_away = (
        col(CallAttempt.answered_by).in_(MACHINE_ANSWERS)
        & col(CallAttempt.connected_at).is_(None)
        & ~col(CallAttempt.abandoned)
    )
    kinds = (live, abandoned, turned_away)
    counts = session.execute(
        sa.select(
            *(func.count().filter(kind) for kind in kinds),
            *(func.count().filter(today, kind) for kind in kinds),
        ).where(col(CallAttempt.campaign_id) == campaign_id, answered >= now - ROLLING_WINDOW)
    ).one()
    return AbandonReading(AbandonCounts(*counts[:3]), AbandonCounts(*counts[3:]))


def seats_now(session: Session, campaign_id: int, now: datetime, calls_per_second: float) -> SeatsNow:
    """The campaign's seats and its unreserved calls in flight, from the record."""
    seats = session.exec(
        select(CallingSession.state, CallingSession.state_changed_at).where(
            CallingSession.campaign_id == campaign_id,
            col(CallingSession.state).in_(seat_states.PACED),
        )
    ).all()
    ringing = session.exec(
        select(CallAttempt.placed_at, CallAttempt.provider_sid).where(
            CallAttempt.campaign_id == campaign_id,
            col(CallAttempt.session_id).is_(None),
            (col(CallAttempt.status).in_(_RINGING) & col(CallAttempt.answered_at).is_(None))
            | _still_being_heard(),
        )
    ).all()
    waiting_for_budget = sum(1 for _, sid in ringing if sid is None)

    def since(at: datetime | None) -> float:
        return max(0.0, (now - at).total_seconds()) if at is not None else 0.0

    return SeatsNow(
        ready=sum(1 for state, _ in seats if state in seat_states.IDLE),
        talking_for_s=[since(at) for state, at in seats if state in seat_states.TALKING],
        wrapping_for_s=[since(at) for state, at in seats if state in seat_states.WRAPPING_UP],
        ringing_ages_s=[since(at) for at, _ in ringing],
        dial_budget=max(0, math.ceil(max(1.0, calls_per_second)) - waiting_for_budget),
    )


def _still_being_heard() -> sa.ColumnElement[bool]:
    """Answered, and not yet put through, abandoned or turned away: the answer webhook has not run
    yet (detection is asynchronous, so only for the webhook's round trip). Such a call may need a
    seat any moment, so it counts as a line in flight, as the shift simulation counts it."""
    return (
        (col(CallAttempt.status) == CallStatus.IN_PROGRESS)
        & col(CallAttempt.connected_at).is_(None)
        & ~col(CallAttempt.abandoned)
        & col(CallAttempt.answered_by).is_(None)
    )


def learnt(session: Session, campaign: Campaign, now: datetime) -> SessionEstimates:
    """What the campaign's recent calls teach: when answers come, how long talk and wrap-up last."""
    estimates = SessionEstimates.starting(float(campaign.ring_timeout_s))
    calls = session.execute(
        sa.select(
            col(CallAttempt.placed_at),
            col(CallAttempt.info_message_at),
            col(CallAttempt.connected_at),
            col(CallAttempt.ended_at),
            col(CallAttempt.abandoned),
            col(CallAttempt.provider_sid),
            col(Outcome.created_at),
        )
        .outerjoin(Outcome, col(Outcome.call_attempt_id) == col(CallAttempt.id))
        .where(col(CallAttempt.campaign_id) == campaign.id, col(CallAttempt.placed_at) >= now - LEARN_FROM)
        .order_by(col(CallAttempt.placed_at).desc())
        .limit(LEARN_LIMIT)
    ).all()
    for placed, message_at, connected, ended, abandoned, sid, written in calls:
        if placed is None or sid is None:
            continue
        # A call needed its seat when the answer webhook ran (put through, or the message played):
        # at the pick-up, detection or not (it is asynchronous).
        needed = connected or (message_at if abandoned else None)
        if needed is not None:
            estimates.answers.record_need((needed - placed).total_seconds())
        elif ended is not None:
            estimates.answers.record_end((ended - placed).total_seconds())
        if connected is not None and ended is not None:
            estimates.handling.record_talk((ended - connected).total_seconds())
            if written is not None and written >= ended:
                estimates.handling.record_wrap((written - ended).total_seconds())
    return estimates
