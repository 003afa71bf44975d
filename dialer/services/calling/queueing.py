"""Who to call next: claiming a callable voter from a campaign's queue, and putting voters back.

The Redis claim is atomic (no voter or number goes to two seats) and the record in SQL has the
last word: every claimed voter is checked against the compliance rules before a call is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from dialer.domain.calling_hours import LONDON, CallingHours, london_day_start, next_london_day
from dialer.domain.calls import FINAL_STATUSES
from dialer.domain.eligibility import (
    Circumstances,
    NotCallable,
    earliest_call,
    owed_a_call_back,
    reason_not_to_call,
)
from dialer.models import CallAttempt, Campaign, Outcome, Voter
from dialer.ports import Claimed, QueuedVoter
from dialer.services.calling import shared_numbers
from dialer.services.compliance.suppression import is_suppressed
from dialer.services.phone_bank import PhoneBank

#: A claim looks at this many voters before giving up for now (the rest stay queued).
MAX_CLAIM_TRIES = 20
#: How long to wait before looking again at a voter whose number is busy in another call.
BUSY_RETRY = timedelta(minutes=2)


@dataclass(frozen=True)
class ClaimedVoter:
    voter: Voter
    claim: Claimed


def hours_of(campaign: Campaign) -> CallingHours:
    return CallingHours.parse(
        campaign.weekday_start, campaign.weekday_end, campaign.weekend_start, campaign.weekend_end
    )


def day_key(now: datetime) -> str:
    """The London calendar day, the unit of 'not twice in a day'."""
    return now.astimezone(LONDON).date().isoformat()


def number_token(campaign_id: int, voter_id: int) -> str:
    """What the queue's claim script calls the hold on a voter's number (see claim_voter.lua)."""
    return f"{campaign_id}:{voter_id}"


def circumstances(session: Session, voter: Voter, now: datetime) -> Circumstances:
    """The facts outside the voter's own row, read from SQL (the durable truth)."""
    phone = voter.phone_e164 or ""
    same_number = select(Voter.id).where(Voter.phone_e164 == phone)
    suppressed = is_suppressed(session, phone)
    live = session.exec(
        select(CallAttempt.id).where(
            col(CallAttempt.voter_id).in_(same_number), col(CallAttempt.status).not_in(FINAL_STATUSES)
        )
    ).first()
    elsewhere = session.exec(
        select(CallAttempt.id)
        .join(Voter, col(Voter.id) == CallAttempt.voter_id)
        .where(
            Voter.phone_e164 == phone,
            Voter.campaign_id != voter.campaign_id,
            col(CallAttempt.provider_sid).is_not(None),
            CallAttempt.placed_at >= london_day_start(now),  # type: ignore[operator]
        )
    ).first()
    return Circumstances(
        suppressed=suppressed,
        in_a_call=live is not None,
        dialled_today_elsewhere=elsewhere is not None,
        call_back_requested=call_back_requested(session, voter),
        number_blocked_until=shared_numbers.blocked_until(session, phone, now) if phone else None,
        number_on_tps=shared_numbers.on_tps(session, phone) if phone else False,
    )


def call_back_requested(session: Session, voter: Voter) -> bool:
    """True when the voter's latest outcome asked for a call-back at the time they are now due."""
    if voter.next_call_at is None:
        return False
    latest = session.exec(
        select(Outcome)
        .where(Outcome.voter_id == voter.id)
        .order_by(col(Outcome.created_at).desc(), col(Outcome.id).desc())
    ).first()
    if latest is None:
        return False
    return owed_a_call_back(latest.disposition, latest.call_back_at, voter.next_call_at)


def why_not_now(session: Session, voter: Voter, campaign: Campaign, now: datetime) -> NotCallable | None:
    """Why this voter may not be dialled now (None: they may), by the rules and the facts in SQL."""
    return reason_not_to_call(
        voter,
        max_attempts=campaign.max_attempts,
        hours=hours_of(campaign),
        now=now,
        circumstances=circumstances(session, voter, now),
    )


def claim_callable_voter(
    bank: PhoneBank, session: Session, campaign: Campaign, now: datetime
) -> ClaimedVoter | None:
    """Take the next voter who may lawfully be called now, or None. The number stays held until released."""
    assert campaign.id is not None
    hours = hours_of(campaign)
    for _ in range(MAX_CLAIM_TRIES):
        claim = bank.queue.claim(campaign.id, now=now, day=day_key(now), next_day=next_london_day(now))
        if claim is None:
            return None
        voter = session.get(Voter, claim.voter_id)
        if voter is None or voter.campaign_id != campaign.id:
            bank.queue.release(claim.phone, claim.token)
            continue
        facts = circumstances(session, voter, now)
        reason = reason_not_to_call(
            voter, max_attempts=campaign.max_attempts, hours=hours, now=now, circumstances=facts
        )
        if reason is None:
            return ClaimedVoter(voter, claim)
        bank.queue.release(claim.phone, claim.token)
        later = requeue_time(reason, voter, hours, now, facts)
        if later is not None and voter.phone_e164:
            bank.queue.add(
                campaign.id,
                QueuedVoter(claim.voter_id, voter.phone_e164, later, call_back=facts.call_back_requested),
            )
    return None


def requeue_time(
    reason: NotCallable,
    voter: Voter,
    hours: CallingHours,
    now: datetime,
    facts: Circumstances,
) -> datetime | None:
    """When a voter refused for `reason` should be looked at again (None: only if their record changes)."""
    if reason.permanent:
        return None
    if reason in (NotCallable.BLOCKED_AFTER_ABANDON, NotCallable.NOT_YET_DUE):
        return earliest_call(voter, facts) or now
    if reason is NotCallable.OUTSIDE_HOURS:
        return hours.next_opening(now)
    if reason is NotCallable.DIALLED_TODAY_ELSEWHERE:
        return next_london_day(now)
    return now + BUSY_RETRY


def queue_voter(bank: PhoneBank, voter: Voter, *, now: datetime, call_back: bool = False) -> None:
    """Put a voter (back) in their campaign's queue, due when their record allows."""
    assert voter.id is not None
    if voter.phone_e164 is None:
        return
    due = earliest_call(voter) or now
    bank.queue.add(voter.campaign_id, QueuedVoter(voter.id, voter.phone_e164, due, call_back=call_back))


def release_number(bank: PhoneBank, voter: Voter) -> None:
    assert voter.id is not None
    if voter.phone_e164:
        bank.queue.release(voter.phone_e164, number_token(voter.campaign_id, voter.id))


def voters_waiting(session: Session, campaign: Campaign) -> int:
    """Voters the campaign may still call some day (for the phone-bank list)."""
    count = session.exec(
        select(func.count())
        .select_from(Voter)
        .where(
            Voter.campaign_id == campaign.id,
            col(Voter.done).is_(False),
            col(Voter.do_not_call).is_(False),
            col(Voter.tps).is_(False),
            col(Voter.erased_at).is_(None),
            col(Voter.phone_e164).is_not(None),
            Voter.attempts < campaign.max_attempts,
        )
    ).one()
    return int(count)
