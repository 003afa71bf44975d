"""Found by the fault drills (issue 10): what Redis or a dead process loses, the dialer puts back from SQL.

- Redis losing everything took the heartbeat's own job with it, so nothing rebuilt the queues and
  the seat board: outcomes were saved but seats stayed in wrap-up and nobody was dialled again.
- A pacer killed between reserving a seat on the board and committing its call left the seat
  reserved on the board for good: it was never dialled again.
- A web process starting recounted every campaign's figures, and a count landing during the recount
  was lost: restarting web processes under load left dashboards behind the record.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from dialer.domain.calls import CallStatus
from dialer.domain.campaigns import DialingMode
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, Voter
from dialer.services.calling import dashboard, upkeep
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from dialer.services.phone_bank import HEARTBEAT
from tests.integration.test_power_dialing import answer, only_call, seat, status
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat
from workers import jobs

pytestmark = pytest.mark.integration


def test_after_redis_lost_everything_the_next_job_rebuilds_it_frees_the_seats_and_restarts_the_heartbeat(
    bank, clock, telephony, redis, dialer_services
):
    campaign = make_campaign(bank, voters=5)
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    answer(bank, call)
    status(bank, call.id, call.provider_sid, "completed", 3, duration=40)
    assert seat(bank, session_id).state is SeatState.WRAP_UP

    redis.flushdb()  # a Redis restart without persistence: queues, seat board, jobs, figures
    record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "talked"))
    assert seat(bank, session_id).state is SeatState.WRAP_UP, "saved, but the seat could not move"

    jobs.pace_campaign(campaign)  # any dialer job, in any worker

    assert bank.queue.is_built()
    assert seat(bank, session_id).state is SeatState.DIALING, "freed and given the next voter"
    assert bank.tally.read(campaign).built
    ran_before = len(dialer_services.jobs.ran)
    clock.advance(1)
    assert len(telephony.placed) == 2
    assert (HEARTBEAT, ()) in dialer_services.jobs.ran[ran_before:], "the heartbeat beats again"


def test_a_call_whose_placing_job_went_with_redis_is_given_up_at_once(bank, clock, telephony, redis):
    campaign = make_campaign(bank, voters=2, mode=DialingMode.PREVIEW)
    session_id = ready_seat(bank, make_volunteer(bank), campaign)
    with bank.uow() as uow:  # what the pacer leaves when its place_call job is lost unrun
        voter_id = uow.session.exec(select(Voter.id).where(Voter.campaign_id == campaign)).first()
        call = CallAttempt(
            campaign_id=campaign, voter_id=voter_id, session_id=session_id, mode=DialingMode.PREVIEW,
            placed_at=clock.now(),
        )  # fmt: skip
        uow.session.add(call)
        uow.commit()
        call_id = call.id
    redis.flushdb()

    assert upkeep.recover_lost_state(bank)
    assert not upkeep.recover_lost_state(bank), "once rebuilt, nothing more to do"

    with bank.uow() as uow:
        assert uow.session.exec(select(CallAttempt.status).where(CallAttempt.id == call_id)).one() is (
            CallStatus.CANCELED
        )
    assert telephony.placed == []


def test_a_seat_a_dead_pacer_left_reserved_on_the_board_is_given_back_by_the_heartbeat(
    bank, clock, telephony
):
    campaign = make_campaign(bank, voters=0)  # nobody to call: the seat stays ready in SQL
    session_id = ready_seat(bank, make_volunteer(bank), campaign)
    reserved = bank.seats.reserve_idle(campaign, now=clock.now())  # ...and the pacer dies here
    assert reserved is not None and reserved.session_id == session_id

    clock.advance(5)
    assert bank.seats.get(session_id).state is SeatState.DIALING, "a pacer may still be at work"
    clock.advance(upkeep.BOARD_SETTLES_IN.total_seconds() + upkeep.HEARTBEAT_EVERY.total_seconds())

    assert bank.seats.get(session_id).state is SeatState.READY
    assert bank.seats.reserve_idle(campaign, now=clock.now() + timedelta(seconds=1)) is not None


def test_a_web_process_starting_recounts_only_the_figures_redis_lost(bank, redis):
    kept = make_campaign(bank, name="Kept figures")
    lost = make_campaign(bank, name="Lost figures")
    dashboard.reconcile_running(bank)
    redis.delete(f"marginal:tally:{lost}")

    rebuilt = dashboard.reconcile_running(bank, only_lost=True)

    assert [r.campaign_id for r in rebuilt] == [lost]
    assert bank.tally.read(kept).built and bank.tally.read(lost).built
