"""Keeping the dialer honest over time: the reconciler, the heartbeat, and rebuilding Redis from SQL.

The heartbeat runs every few seconds while anyone is calling: it rebuilds Redis if it was lost,
asks the provider about calls we have not heard of for too long, and paces campaigns whose seats
sit idle (voters come due, calling hours open). It stops rescheduling itself when all is quiet.

The heartbeat is itself a job in Redis, so when Redis loses everything (a restart without
persistence, a failover, a flush) it goes too: every worker therefore asks `recover_lost_state`
between jobs, which rebuilds what Redis held from SQL and starts the heartbeat again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from dialer.domain import seats
from dialer.domain.calling_hours import london_day_start
from dialer.domain.calls import FINAL_STATUSES, CallStatus
from dialer.domain.campaigns import CampaignStatus
from dialer.domain.eligibility import earliest_call, owed_a_call_back
from dialer.domain.seats import LIVE_SEAT_STATES
from dialer.errors import Conflict, NotFound, TelephonyError
from dialer.models import CallAttempt, CallingSession, Campaign, Outcome, Voter
from dialer.ports import QueuedVoter, QueueSnapshot, Seat
from dialer.services.calling import dashboard, queueing, seat_holding, seat_moves, shifts, texts
from dialer.services.calling.call_events import StatusReport, on_call_status
from dialer.services.calling.dialing import PLACING_LEASE, give_up_unplaced, pace_campaign
from dialer.services.calling.notices import Notices
from dialer.services.calling.sessions import end_session
from dialer.services.campaigns import caller_ids
from dialer.services.compliance import suppression
from dialer.services.phone_bank import HEARTBEAT, HEARTBEAT_JOB_ID, PACE_CAMPAIGN, PhoneBank

HEARTBEAT_EVERY = timedelta(seconds=10)
#: A call not heard of for this long (beyond its ring time) is asked about.
STALE_AFTER = timedelta(seconds=90)
#: A queued call no worker has placed for this long is given up (its job was lost).
UNPLACED_AFTER = timedelta(minutes=5)
RECONCILE_BATCH = 200
#: A seat whose board entry has disagreed with SQL for this long was left so by a process that died
#: between the two writes (a pacer killed after reserving it): SQL is the record, the board follows.
BOARD_SETTLES_IN = timedelta(seconds=10)
#: A seat whose volunteer's audio has not joined in this long never will: the phone's ring (30 s)
#: and the press-1 prompt are long over, or the browser gave up (its callbacks lost, the tab closed).
CONNECT_WITHIN = timedelta(minutes=3)


@dataclass(frozen=True)
class Reconciled:
    asked: int = 0
    changed: int = 0
    abandoned_unplaced: int = 0


def reconcile_calls(bank: PhoneBank) -> Reconciled:
    """Ask the provider about live calls we have not heard of for too long, and apply what it says."""
    now = bank.clock.now()
    asked = changed = unplaced = 0
    with bank.uow() as uow:
        stale = uow.session.exec(
            select(CallAttempt.id, CallAttempt.provider_sid, CallAttempt.last_heard_at, CallAttempt.placed_at)
            .where(col(CallAttempt.status).not_in(FINAL_STATUSES))
            .order_by(col(CallAttempt.id))
            .limit(RECONCILE_BATCH * 5)
        ).all()
    for call_id, sid, heard, placed in stale:
        assert call_id is not None
        last = heard or placed
        if sid is None:
            if last is not None and last < now - UNPLACED_AFTER:
                unplaced += _give_up_lost_placement(bank, call_id, now)
            continue
        if last is not None and last > now - STALE_AFTER:
            continue
        if asked >= RECONCILE_BATCH:
            break
        asked += 1
        try:
            found = bank.telephony.fetch_call(sid)
        except TelephonyError:
            continue
        report = StatusReport(
            call_id=call_id,
            sid=sid,
            status=found.status,
            sequence=None,
            duration_s=found.duration_s,
            answered_by=found.answered_by,
            payload={"CallStatus": found.status, "source": "reconciler"},
            kind="reconcile",
        )
        if on_call_status(bank, report).value == "applied":
            changed += 1
    return Reconciled(asked, changed, unplaced)


def repair_seats(bank: PhoneBank) -> int:
    """Seats whose move was lost with Redis: still busy with a call that has ended, or in wrap-up
    with the call's outcome already recorded. Move them on."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    repaired = 0
    campaigns = set()
    with bank.uow() as uow:
        stuck = uow.session.exec(
            select(CallingSession, CallAttempt)
            .join(CallAttempt, col(CallAttempt.id) == CallingSession.current_call_id)
            .where(
                col(CallingSession.state).in_(seats.ON_A_CALL),
                col(CallAttempt.status).in_(FINAL_STATUSES),
            )
        ).all()
        recorded = uow.session.exec(
            select(CallingSession, CallAttempt)
            .join(CallAttempt, col(CallAttempt.id) == CallingSession.current_call_id)
            .join(Outcome, col(Outcome.call_attempt_id) == CallAttempt.id)
            .where(col(CallingSession.state).in_(seats.WRAPPING_UP))
        ).all()
        moves = [
            *(
                (
                    seat,
                    call,
                    seats.VOTER_LEFT if call.connected_at is not None else seat_moves.after_call(seat),
                )
                for seat, call in stuck
            ),
            *((seat, call, seat_moves.after_call(seat)) for seat, call in recorded),
        ]
        for seat, call, move in moves:
            if not seat_moves.settle(bank, seat, move, now=now, busy_with=call.id or 0):
                continue
            notices.seat(seat)
            if seat.state in seats.CALL_FREE:
                notices.voter(seat.id or 0, None, call_id=None, preview=False)
            if seat.state in seats.IDLE:
                campaigns.add(seat.campaign_id)
            repaired += 1
        uow.commit()
        live = live_seats(uow.session)
        boards = bank.seats.get_many([seat.id or 0 for seat in live])
        for seat in live:
            if _board_left_behind(seat, boards[seat.id or 0], now):
                seat_moves.put_back(bank, seat, since=seat.state_changed_at or now)
                campaigns.add(seat.campaign_id)
                repaired += 1
    notices.send()
    for campaign_id in sorted(campaigns):
        bank.jobs.enqueue(PACE_CAMPAIGN, campaign_id)
    return repaired


def _board_left_behind(seat: CallingSession, board: Seat | None, now: datetime) -> bool:
    if board is not None and board.state is seat.state:
        return False
    settled = now - BOARD_SETTLES_IN
    moved_in_sql = seat.state_changed_at or settled
    moved_on_board = board.since if board is not None and board.since is not None else settled
    return moved_in_sql <= settled and moved_on_board <= settled


def end_unconnected_seats(bank: PhoneBank) -> list[int]:
    """End the seats whose audio never joined (CONNECT_WITHIN): their volunteer is told to start
    again, which rings their phone afresh (starting again would otherwise find the stuck seat)."""
    with bank.uow() as uow:
        stale = uow.session.exec(
            select(CallingSession.id, CallingSession.user_id).where(
                col(CallingSession.state).in_(seats.AWAITING_AUDIO),
                col(CallingSession.state_changed_at) < bank.clock.now() - CONNECT_WITHIN,
            )
        ).all()
    return [
        session_id
        for session_id, user_id in stale
        if session_id is not None
        and end_session(
            bank,
            user_id,
            session_id,
            reason="your audio did not connect: please start again",
            move=seats.END_UNCONNECTED,
        )
    ]


def recover_lost_state(bank: PhoneBank) -> bool:
    """If Redis has lost the dialer's state, put it back from SQL; returns whether it had to.

    One EXISTS when nothing was lost. Otherwise: rebuild the queues and the seat board, give up the
    calls whose placing jobs went with Redis (so their seats and voters are free at once, not after
    UNPLACED_AFTER), move on the seats whose last move was lost, recount the dashboards' figures
    (whose deltas they would otherwise ignore), and start the heartbeat again.
    """
    if bank.queue.is_built():
        return False
    now = bank.clock.now()
    with bank.uow() as uow:  # read before the rebuild: nothing can be dialled until it is done
        orphans = uow.session.exec(
            select(CallAttempt.id).where(
                CallAttempt.status == CallStatus.QUEUED,
                col(CallAttempt.provider_sid).is_(None),
                col(CallAttempt.last_heard_at).is_(None)
                | (col(CallAttempt.last_heard_at) < now - PLACING_LEASE),
            )
        ).all()
    rebuild_dialer_state(bank)
    for call_id in orphans:
        if call_id is not None:
            _give_up_lost_placement(bank, call_id, now)
    repair_seats(bank)
    dashboard.reconcile_running(bank)
    shifts.reschedule_upcoming(bank)
    bank.jobs.enqueue(HEARTBEAT, job_id=HEARTBEAT_JOB_ID)
    return True


def heartbeat(bank: PhoneBank) -> bool:
    """One beat; returns whether another was scheduled (only while sessions or calls are live)."""
    recover_lost_state(bank)
    dashboard.catch_up(bank)
    reconcile_calls(bank)
    repair_seats(bank)
    end_unconnected_seats(bank)
    seat_holding.end_seats_not_back(bank)
    shifts.call_in_due(bank)
    texts.send_reminders(bank)
    for campaign_id in bank.seats.campaigns_with_idle_seats():
        pace_campaign(bank, campaign_id)
    for campaign_id in _campaigns_calling(bank):  # voters come due as time passes: dashboards see it
        dashboard.publish_pool(bank, campaign_id)
    with bank.uow() as uow:
        busy = (
            uow.session.exec(
                select(CallingSession.id).where(col(CallingSession.state).in_(LIVE_SEAT_STATES))
            ).first()
            or uow.session.exec(
                select(CallAttempt.id).where(col(CallAttempt.status).not_in(FINAL_STATUSES))
            ).first()
        )
    if busy is None:
        return False
    bank.jobs.enqueue(HEARTBEAT, at=bank.clock.now() + HEARTBEAT_EVERY, job_id=HEARTBEAT_JOB_ID)
    return True


def rebuild_dialer_state(bank: PhoneBank) -> QueueSnapshot:
    """Make Redis (queues, held numbers, numbers dialled today, the seat board) match SQL again."""
    now = bank.clock.now()
    with bank.uow() as uow:
        snapshot = queue_snapshot(uow.session, now)
        board = seat_moves.board_copy(live_seats(uow.session), now=now)
    bank.queue.rebuild(snapshot)
    seat_moves.rebuild_board(bank, board)
    return snapshot


def open_phone_bank(bank: PhoneBank, campaign_id: int) -> int:
    """Start taking calls for a campaign: mark it active and queue its callable voters; returns how many.
    Calls to its caller ID (when the account owns it) come to the product (returned_calls).

    A campaign whose caller ID the telephony account cannot call from stays as it was (Conflict says
    why): every call would be refused, and each voter's number marked dialled for the day."""
    now = bank.clock.now()
    with bank.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        if problem := caller_ids.problem_with(bank.telephony, campaign.caller_id):
            raise Conflict(f"{campaign.name} cannot open: {problem}.")
        caller_ids.answer_calls_back(bank.telephony, campaign.caller_id, bank.webhooks.incoming())
        texts.route_replies(
            bank.telephony, campaign.caller_id, bank.webhooks.base_url.rstrip("/") + texts.REPLY_PATH
        )
        campaign.status = CampaignStatus.ACTIVE
        uow.commit()
        voters = _queued_voters(
            uow.session,
            campaign,
            _held(uow.session),
            suppression.listed_numbers(uow.session),
            now,
        )
    if not bank.queue.is_built():
        rebuild_dialer_state(bank)
    else:
        bank.queue.load(campaign_id, voters)
    return len(voters)


def queue_snapshot(session: Session, now: datetime) -> QueueSnapshot:
    """What the queues should hold, from SQL alone."""
    suppressed = suppression.listed_numbers(session)
    live_calls = session.exec(
        select(Voter.campaign_id, Voter.id, Voter.phone_e164)
        .join(CallAttempt, col(CallAttempt.voter_id) == Voter.id)
        .where(col(CallAttempt.status).not_in(FINAL_STATUSES))
    ).all()
    previews = session.exec(
        select(Voter.campaign_id, Voter.id, Voter.phone_e164)
        .join(CallingSession, col(CallingSession.preview_voter_id) == Voter.id)
        .where(col(CallingSession.state).in_(LIVE_SEAT_STATES))
    ).all()
    in_calls = {
        phone: queueing.number_token(cid, vid) for cid, vid, phone in [*live_calls, *previews] if phone
    }
    held = _held(session)
    dialled = session.exec(
        select(Voter.phone_e164, Voter.campaign_id)
        .join(CallAttempt, col(CallAttempt.voter_id) == Voter.id)
        .where(col(CallAttempt.provider_sid).is_not(None), CallAttempt.placed_at >= london_day_start(now))  # type: ignore[operator]
        .order_by(col(CallAttempt.placed_at))
    ).all()
    dialled_today: dict[str, int] = {}
    for phone, campaign_id in dialled:
        if phone:
            dialled_today.setdefault(phone, campaign_id)
    active = session.exec(select(Campaign).where(Campaign.status == CampaignStatus.ACTIVE)).all()
    queued = {
        campaign.id or 0: _queued_voters(session, campaign, held, suppressed, now) for campaign in active
    }
    return QueueSnapshot(
        queued=queued,
        suppressed=suppressed,
        in_calls=in_calls,
        dialled_today=dialled_today,
        day=queueing.day_key(now),
    )


def _held(session: Session) -> set[int]:
    """Voters who must not be queued now: in a live call, on a preview card, or awaiting their outcome."""
    in_calls = session.exec(
        select(CallAttempt.voter_id).where(col(CallAttempt.status).not_in(FINAL_STATUSES))
    ).all()
    previews = session.exec(
        select(CallingSession.preview_voter_id).where(
            col(CallingSession.state).in_(LIVE_SEAT_STATES), col(CallingSession.preview_voter_id).is_not(None)
        )
    ).all()
    awaiting = session.exec(
        select(CallAttempt.voter_id)
        .join(CallingSession, col(CallingSession.current_call_id) == CallAttempt.id)
        .where(col(CallingSession.state).in_(seats.WITH_A_VOTER))
    ).all()
    return {vid for vid in [*in_calls, *previews, *awaiting] if vid is not None}


def _queued_voters(
    session: Session, campaign: Campaign, held: set[int], suppressed: set[str], now: datetime
) -> list[QueuedVoter]:
    voters = session.exec(
        select(Voter).where(
            Voter.campaign_id == campaign.id,
            col(Voter.done).is_(False),
            col(Voter.do_not_call).is_(False),
            col(Voter.tps).is_(False),
            col(Voter.erased_at).is_(None),
            col(Voter.phone_e164).is_not(None),
        )
    ).all()
    latest: dict[int, Outcome] = {}
    for outcome in session.exec(
        select(Outcome)
        .where(Outcome.campaign_id == campaign.id)
        .order_by(col(Outcome.created_at), col(Outcome.id))
    ):
        latest[outcome.voter_id or 0] = outcome
    entries = []
    for voter in voters:
        assert voter.id is not None and voter.phone_e164 is not None
        if voter.id in held or voter.phone_e164 in suppressed:
            continue
        last = latest.get(voter.id)
        call_back = last is not None and owed_a_call_back(
            last.disposition, last.call_back_at, voter.next_call_at
        )
        if voter.attempts >= campaign.max_attempts and not call_back:
            continue
        due = earliest_call(voter) or voter.created_at or now
        entries.append(QueuedVoter(voter.id, voter.phone_e164, due, call_back=call_back))
    return entries


def live_seats(session: Session) -> list[CallingSession]:
    return list(
        session.exec(select(CallingSession).where(col(CallingSession.state).in_(LIVE_SEAT_STATES))).all()
    )


def _give_up_lost_placement(bank: PhoneBank, call_id: int, now: datetime) -> int:
    with bank.uow() as uow:
        call = uow.session.get(CallAttempt, call_id)
        if call is None or call.provider_sid is not None or call.status is not CallStatus.QUEUED:
            return 0
        voter = uow.session.get(Voter, call.voter_id)
        assert voter is not None
        give_up_unplaced(bank, uow.session, call, voter, error="the call was never placed", now=now)
        uow.commit()
    return 1


def _campaigns_calling(bank: PhoneBank) -> list[int]:
    with bank.uow() as uow:
        return sorted(
            set(
                uow.session.exec(
                    select(CallingSession.campaign_id).where(col(CallingSession.state).in_(LIVE_SEAT_STATES))
                ).all()
            )
        )
