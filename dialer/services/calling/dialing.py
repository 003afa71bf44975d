"""Dialling voters: power pacing (one line per ready seat), preview cards, and placing each call.

Predictive campaigns are paced by `predictive_pacing` (dials ahead, no seat reserved per call).

In power mode the pacer reserves a ready seat before it dials, so every answered call has a
volunteer waiting and no call is abandoned by design. In preview mode the volunteer sees the voter
card first and presses Dial or Skip. `place_call` runs in a worker: it respects the account's
calls-per-second budget and retries the provider's transient errors with backoff.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from dialer.domain import figures, seats
from dialer.domain.calls import CallStatus
from dialer.domain.campaigns import CampaignStatus, DialingMode
from dialer.domain.detection_policy import MACHINE_DETECTION_S, detection_allowed
from dialer.errors import Conflict, TelephonyError
from dialer.models import CallAttempt, CallingSession, Campaign, Voter
from dialer.ports import OutboundCall, QueuedVoter
from dialer.services.calling import live_figures, queueing, seat_moves, shared_numbers
from dialer.services.calling.calling_view import voter_card
from dialer.services.calling.notices import Notices
from dialer.services.calling.predictive_pacing import pace_predictive
from dialer.services.phone_bank import PLACE_CALL, PhoneBank

#: Provider errors are retried this many times, waiting 1, 2, 4, 8... seconds (capped).
MAX_PLACE_TRIES = 6
MAX_BACKOFF_S = 30.0
#: A worker placing a call holds it this long; a duplicate job inside the lease does nothing.
PLACING_LEASE = timedelta(seconds=30)
#: Twilio errors that mean the number itself cannot be called.
DEAD_NUMBER_CODES = frozenset({21211, 21214, 21217, 21612})
#: A skipped preview voter comes back this much later (not straight back to the same volunteer).
SKIP_DELAY = timedelta(hours=1)


def pace_campaign(bank: PhoneBank, campaign_id: int) -> int:
    """Give every ready seat of the campaign its next voter, or (predictive) dial ahead of the seats;
    returns how many dials (or cards) it made."""
    now = bank.clock.now()
    with bank.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None or campaign.status is not CampaignStatus.ACTIVE:
            return 0
        predictive = campaign.dialing_mode is DialingMode.PREDICTIVE
    if predictive:
        return pace_predictive(bank, campaign_id)
    with bank.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None or campaign.status is not CampaignStatus.ACTIVE:
            return 0
        if not queueing.hours_of(campaign).is_open(now):
            return 0
        if campaign.dialing_mode is DialingMode.PREVIEW:
            return _offer_previews(bank, uow.session, campaign, now)
        due = bank.queue.next_due(campaign_id)
        if due is None or due > now:  # nothing to dial yet: leave the ready seats in their order
            return 0
        placed = 0
        while _still_taking_calls(uow.session, campaign_id) and (
            reserved := seat_moves.reserve_idle(bank, campaign_id, now=now)
        ):
            seat = uow.session.get(CallingSession, reserved.session_id)
            if seat is None or seat.state not in seats.LIVE_SEAT_STATES:  # the board should not have had it
                seat_moves.undo_reservation(bank, reserved.session_id, seat_gone=True, now=now)
                continue
            claimed = queueing.claim_callable_voter(bank, uow.session, campaign, now)
            if claimed is None:
                seat_moves.undo_reservation(bank, reserved.session_id, seat_gone=False, now=now)
                break
            call = _new_call(uow.session, campaign, claimed.voter, seat, DialingMode.POWER, now)
            bank.seats.attach_call(reserved.session_id, call.id or 0)
            notices = Notices(bank.live)
            notices.seat(seat)
            notices.voter(
                seat.id or 0, voter_card(uow.session, claimed.voter, campaign), call_id=call.id, preview=False
            )
            uow.commit()
            notices.send()
            bank.jobs.enqueue(PLACE_CALL, call.id)
            placed += 1
        return placed


def _still_taking_calls(session: Session, campaign_id: int) -> bool:
    """Read again before each dial: an organiser's pause (or end) stops a pacing run at once, not
    after it has dialled every idle seat."""
    status = session.exec(select(Campaign.status).where(Campaign.id == campaign_id)).first()
    return status is CampaignStatus.ACTIVE


def _offer_previews(bank: PhoneBank, session: Session, campaign: Campaign, now: datetime) -> int:
    """Preview mode: put a voter card in front of every ready volunteer who has none."""
    waiting = session.exec(
        select(CallingSession).where(
            CallingSession.campaign_id == campaign.id,
            col(CallingSession.state).in_(seats.IDLE),
            col(CallingSession.preview_voter_id).is_(None),
        )
    ).all()
    offered = 0
    for seat in waiting:
        claimed = queueing.claim_callable_voter(bank, session, campaign, now)
        if claimed is None:
            break
        taken = session.execute(
            update(CallingSession)
            .where(col(CallingSession.id) == seat.id, col(CallingSession.preview_voter_id).is_(None))
            .values(preview_voter_id=claimed.voter.id)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            bank.queue.release(claimed.claim.phone, claimed.claim.token)
            bank.queue.add(campaign.id or 0, _queued(claimed.voter, now))
            continue
        session.commit()
        session.refresh(seat)
        notices = Notices(bank.live)
        notices.voter(seat.id or 0, voter_card(session, claimed.voter, campaign), call_id=None, preview=True)
        notices.send()
        offered += 1
    return offered


def dial_preview(bank: PhoneBank, user_id: int, session_id: int) -> int:
    """The volunteer pressed Dial on the card in front of them; returns the call's id."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id)
        if seat is None or seat.user_id != user_id:
            raise Conflict("no such calling session")
        voter = uow.session.get(Voter, seat.preview_voter_id) if seat.preview_voter_id else None
        campaign = uow.session.get(Campaign, seat.campaign_id)
        if voter is None or campaign is None:
            raise Conflict("there is no voter card to dial")
        reason = queueing.why_not_now(uow.session, voter, campaign, now)
        if reason is not None:
            raise Conflict(
                f"this voter cannot be called now ({reason.value.replace('_', ' ')}): skip to the next"
            )
        if not seat_moves.apply(bank, seat, seats.DIAL, now=now):
            raise Conflict("your seat is not ready to dial")
        seat.preview_voter_id = None
        call = _new_call(uow.session, campaign, voter, seat, DialingMode.PREVIEW, now)
        bank.seats.attach_call(session_id, call.id or 0)
        uow.commit()
        notices.seat(seat)
        call_id = call.id or 0
    notices.send()
    bank.jobs.enqueue(PLACE_CALL, call_id)
    return call_id


def skip_preview(bank: PhoneBank, user_id: int, session_id: int) -> None:
    """The volunteer skipped the card: the voter goes back to the queue for later, the next card comes."""
    now = bank.clock.now()
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id)
        if seat is None or seat.user_id != user_id:
            raise Conflict("no such calling session")
        voter = uow.session.get(Voter, seat.preview_voter_id) if seat.preview_voter_id else None
        if voter is None:
            raise Conflict("there is no voter card to skip")
        seat.preview_voter_id = None
        uow.commit()
        queueing.release_number(bank, voter)
        bank.queue.add(voter.campaign_id, _queued(voter, now, later=SKIP_DELAY))
        campaign_id = seat.campaign_id
    notices = Notices(bank.live)
    notices.voter(session_id, None, call_id=None, preview=True)
    notices.send()
    pace_campaign(bank, campaign_id)


def place_call(bank: PhoneBank, call_id: int, try_number: int = 0) -> None:
    """Place one queued call with the provider (an RQ job; safe to run twice)."""
    now = bank.clock.now()
    with bank.uow() as uow:
        session = uow.session
        call = session.get(CallAttempt, call_id)
        if call is None or call.status is not CallStatus.QUEUED or call.provider_sid is not None:
            return
        if not _lease(session, call_id, now):
            return
        voter = session.get(Voter, call.voter_id)
        campaign = session.get(Campaign, call.campaign_id)
        assert voter is not None and campaign is not None and voter.phone_e164 is not None
        dial_campaign = campaign.id or 0
        stop = _reason_to_stop(campaign, now) or _seat_gone(session, call)
        if not stop and (wait := bank.call_rate.take(now=now)) > 0:
            call.last_heard_at = None
            uow.commit()
            bank.jobs.enqueue(PLACE_CALL, call_id, try_number, at=now + timedelta(seconds=wait))
            return
        if not stop and not bank.queue.mark_dialled(
            voter.phone_e164, campaign.id or 0, day=queueing.day_key(now)
        ):
            stop = "dialled today by another campaign"
        if stop:
            give_up_unplaced(bank, session, call, voter, error=stop, now=now)
            uow.commit()
            return
        _count_attempt(session, voter.id or 0, +1, now)
        uow.commit()
        detecting = campaign.amd_enabled and detection_allowed(call.mode)
        request = OutboundCall(
            to=voter.phone_e164,
            caller_id=campaign.caller_id,
            answer_url=bank.webhooks.answer(
                call_id, campaign.id or 0, call.session_id, any_seat=call.mode is not DialingMode.PREVIEW
            ),
            status_url=bank.webhooks.status(call_id),
            ring_timeout_s=campaign.ring_timeout_s,
            machine_detection_s=MACHINE_DETECTION_S if detecting else None,
            machine_result_url=bank.webhooks.machine_result(call_id) if detecting else None,
        )
        try:
            sid = bank.telephony.place_call(request)
        except TelephonyError as exc:
            _count_attempt(session, voter.id or 0, -1, now)
            session.refresh(call)
            call.error = str(exc)[:200]
            if exc.retryable and try_number + 1 < MAX_PLACE_TRIES:
                call.last_heard_at = None
                uow.commit()
                delay = min(MAX_BACKOFF_S, 2.0**try_number)
                bank.jobs.enqueue(PLACE_CALL, call_id, try_number + 1, at=now + timedelta(seconds=delay))
                return
            session.refresh(voter)
            dead = exc.code in DEAD_NUMBER_CODES
            give_up_unplaced(bank, session, call, voter, error=call.error, now=now, dead=dead)
            uow.commit()
            return
        # A status callback may already have recorded the sid (it can beat this commit).
        session.execute(
            update(CallAttempt)
            .where(col(CallAttempt.id) == call_id, col(CallAttempt.provider_sid).is_(None))
            .values(provider_sid=sid)
        )
        session.execute(
            update(CallAttempt).where(col(CallAttempt.id) == call_id).values(placed_at=now, last_heard_at=now)
        )
        uow.commit()
        dial = figures.dialled(
            call_id, now, live_figures.seat_of(session, voter), live_figures.volunteer_of(session, call)
        )
    live_figures.count(bank, dial_campaign, [dial])


def _lease(session: Session, call_id: int, now: datetime) -> bool:
    """Take the right to place this call for a while, so a duplicate job cannot dial twice."""
    leased = session.execute(
        update(CallAttempt)
        .where(
            col(CallAttempt.id) == call_id,
            col(CallAttempt.provider_sid).is_(None),
            col(CallAttempt.last_heard_at).is_(None) | (col(CallAttempt.last_heard_at) < now - PLACING_LEASE),
        )
        .values(last_heard_at=now)
        .execution_options(synchronize_session="fetch")
    )
    session.commit()
    return bool(leased.rowcount == 1)  # type: ignore[attr-defined]


def _count_attempt(session: Session, voter_id: int, change: int, now: datetime) -> None:
    values: dict[str, object] = {"attempts": col(Voter.attempts) + change}
    if change > 0:
        values["last_called_at"] = now
    session.execute(
        update(Voter)
        .where(col(Voter.id) == voter_id)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )


def _reason_to_stop(campaign: Campaign, now: datetime) -> str:
    if campaign.status is not CampaignStatus.ACTIVE:
        return "the campaign stopped taking calls"
    if not queueing.hours_of(campaign).is_open(now):
        return "calling hours ended before the call could be placed"
    return ""


def _seat_gone(session: Session, call: CallAttempt) -> str:
    """A line is dialled for a volunteer: if they left before it was placed, nobody would take it."""
    if call.session_id is None:
        return ""
    seat = session.get(CallingSession, call.session_id)
    if seat is None or seat.state not in seats.LIVE_SEAT_STATES:
        return "the volunteer left before the call was placed"
    return ""


def give_up_unplaced(
    bank: PhoneBank,
    session: Session,
    call: CallAttempt,
    voter: Voter,
    *,
    error: str,
    now: datetime,
    dead: bool = False,
) -> None:
    """A call that never reached the provider: no attempt is counted; the seat and voter are freed."""
    call.status = CallStatus.FAILED if dead else CallStatus.CANCELED
    call.error = error[:200]
    call.ended_at = now
    if dead:
        voter.done = True
        if voter.phone_e164:  # a number that does not exist is nobody's
            for other in shared_numbers.wrong_number(session, voter.campaign_id, voter.phone_e164):
                bank.queue.remove(voter.campaign_id, other)
    queueing.release_number(bank, voter)
    if not dead:
        queueing.queue_voter(bank, voter, now=now)
    if call.session_id is not None:
        seat = session.get(CallingSession, call.session_id)
        if seat is not None and seat_moves.apply(
            bank, seat, seat_moves.after_call(seat), now=now, busy_with=call.id
        ):
            notices = Notices(bank.live)
            notices.seat(seat)
            notices.voter(seat.id or 0, None, call_id=None, preview=False)
            session.commit()
            notices.send()


def _new_call(
    session: Session, campaign: Campaign, voter: Voter, seat: CallingSession, mode: DialingMode, now: datetime
) -> CallAttempt:
    call = CallAttempt(
        campaign_id=campaign.id or 0, voter_id=voter.id or 0, session_id=seat.id, mode=mode, placed_at=now
    )
    session.add(call)
    session.flush()
    assert call.id is not None
    seat_moves.record_dial(seat, call.id, now=now)
    return call


def _queued(voter: Voter, now: datetime, later: timedelta = timedelta(0)) -> QueuedVoter:
    return QueuedVoter(voter.id or 0, voter.phone_e164 or "", now + later)
