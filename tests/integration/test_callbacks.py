"""Status callbacks arrive twice, late and out of order: nothing moves backwards or counts twice."""

import pytest
from sqlmodel import func, select

from dialer.domain.calls import CallStatus
from dialer.domain.dispositions import Disposition
from dialer.models import CallAttempt, CallEvent, Outcome, Voter
from dialer.ports import ProviderCall
from dialer.services.calling.call_events import Applied, StatusReport, on_call_status
from dialer.services.calling.upkeep import reconcile_calls
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


@pytest.fixture
def placed(bank, clock, telephony):
    campaign = make_campaign(bank, voters=3)
    ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    sid, _ = telephony.placed[0]
    with bank.uow() as uow:
        return uow.session.exec(select(CallAttempt).where(CallAttempt.provider_sid == sid)).one()


def report(call, status, sequence, **extra):
    return StatusReport(call.id, call.provider_sid, status, sequence, payload={"CallStatus": status}, **extra)


def stored(bank, call):
    with bank.uow() as uow:
        fresh = uow.session.get(CallAttempt, call.id)
        voter = uow.session.get(Voter, call.voter_id)
        outcomes = uow.session.exec(
            select(func.count()).select_from(Outcome).where(Outcome.call_attempt_id == call.id)
        ).one()
        events = uow.session.exec(
            select(func.count()).select_from(CallEvent).where(CallEvent.provider_sid == call.provider_sid)
        ).one()
        return fresh, voter, outcomes, events


def test_a_duplicate_final_callback_is_stored_once_and_counts_once(bank, placed):
    assert on_call_status(bank, report(placed, "no-answer", 3)) is Applied.APPLIED
    after_first = stored(bank, placed)
    assert on_call_status(bank, report(placed, "no-answer", 3)) is Applied.DUPLICATE
    call, voter, outcomes, events = stored(bank, placed)
    assert (call.status, outcomes, events) == (CallStatus.NO_ANSWER, 1, 1)
    assert voter.next_call_at == after_first[1].next_call_at


def test_a_call_that_fails_because_the_number_does_not_exist_is_never_retried(bank, placed):
    assert on_call_status(bank, report(placed, "failed", 1, sip_code=404)) is Applied.APPLIED
    call, voter, outcomes, _ = stored(bank, placed)
    assert call.status is CallStatus.FAILED and outcomes == 1
    assert voter.done and voter.next_call_at is None
    with bank.uow() as uow:
        outcome = uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == placed.id)).one()
    assert outcome.disposition is Disposition.WRONG_NUMBER


def test_a_late_ringing_callback_never_moves_a_completed_call_backwards(bank, placed):
    on_call_status(bank, report(placed, "in-progress", 2))
    on_call_status(bank, report(placed, "completed", 3, duration_s=30))
    assert on_call_status(bank, report(placed, "ringing", 1)) is Applied.STALE
    assert on_call_status(bank, report(placed, "initiated", 0)) is Applied.STALE
    call, _, _, events = stored(bank, placed)
    assert call.status is CallStatus.COMPLETED
    assert call.last_sequence == 3
    assert events == 4, "every distinct callback is kept verbatim"


def test_callbacks_in_any_order_end_in_the_same_state(bank, placed):
    for status, sequence in [("completed", 3), ("ringing", 1), ("in-progress", 2), ("initiated", 0)]:
        on_call_status(bank, report(placed, status, sequence, duration_s=12))
    call, _, outcomes, _ = stored(bank, placed)
    assert call.status is CallStatus.COMPLETED and call.duration_s == 12
    assert outcomes == 1


def test_a_callback_for_another_call_sid_is_ignored(bank, placed):
    forged = StatusReport(placed.id, "CA" + "f" * 32, "completed", 9)
    assert on_call_status(bank, forged) is Applied.UNKNOWN_CALL
    assert stored(bank, placed)[0].status is CallStatus.QUEUED


def test_the_reconciler_asks_about_a_silent_call_and_applies_the_answer(bank, clock, telephony, placed):
    telephony.statuses[placed.provider_sid] = ProviderCall(placed.provider_sid, "busy", duration_s=0)
    assert reconcile_calls(bank).asked == 0, "a call heard of moments ago is left alone"
    clock.advance(60)
    assert telephony.fetched == []
    clock.advance(60)  # the heartbeat reconciles every few seconds
    assert telephony.fetched == [placed.provider_sid]
    call, _, outcomes, _ = stored(bank, placed)
    assert call.status is CallStatus.BUSY and outcomes == 1
    assert reconcile_calls(bank).asked == 0, "a finished call is not asked about again"


def test_a_call_the_provider_still_reports_ringing_is_asked_about_again_later(bank, clock, telephony, placed):
    clock.advance(100)
    assert telephony.fetched == [placed.provider_sid]
    assert stored(bank, placed)[0].status is CallStatus.RINGING
    clock.advance(100)
    assert telephony.fetched == [placed.provider_sid] * 2
