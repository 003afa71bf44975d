"""Answering-machine detection, per campaign, asynchronous: the voter is put through (or hears the
information message) at the answer; a machine verdict later hangs up only a call nobody talks to.

Real SQL and Redis, the recording telephony fake. The answer webhook still understands a verdict
sent with the answer (synchronous detection, as calls placed before this change were).
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from dialer.domain.call_control import Goodbye, InformationMessage, JoinSeat
from dialer.domain.calls import AnsweredBy, CallStatus
from dialer.domain.campaigns import DialingMode
from dialer.domain.detection_policy import MACHINE_DETECTION_S
from dialer.domain.dispositions import DEFAULT_RULES, Disposition
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, Outcome, Voter
from dialer.services.calling.call_events import Answer, StatusReport, on_answer, on_call_status
from dialer.services.calling.machine_detection import MachineResult, Verdict, on_machine_result
from tests.integration.test_power_dialing import only_call, seat
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


def detecting_call(bank, clock, *, detect_machines=True):
    """A power-mode call placed for a ready seat of a campaign with detection on, not yet answered."""
    campaign_id = make_campaign(bank, voters=2, detect_machines=detect_machines)
    session_id = ready_seat(bank, make_volunteer(bank), campaign_id)
    clock.advance(1)  # the pacing and place_call jobs run
    return only_call(bank, session_id), session_id


def answered_as(bank, call, answered_by):
    return on_answer(
        bank,
        Answer(
            call.id,
            call.campaign_id,
            call.session_id,
            call.provider_sid,
            any_seat=True,
            answered_by=answered_by,
        ),
    )


def ended(bank, call, sequence=3):
    on_call_status(bank, StatusReport(call.id, call.provider_sid, "completed", sequence, duration_s=4))


def stored(bank, call):
    with bank.uow() as uow:
        fresh = uow.session.get(CallAttempt, call.id)
        voter = uow.session.get(Voter, call.voter_id)
        outcomes = uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).all()
        return fresh, voter, outcomes


def test_a_campaign_with_detection_on_asks_the_provider_to_detect_machines_and_report_later(
    bank, clock, telephony
):
    call, _ = detecting_call(bank, clock)
    (_, request), *_ = telephony.placed
    assert request.machine_detection_s == MACHINE_DETECTION_S
    assert request.machine_result_url == bank.webhooks.machine_result(call.id)


def test_a_campaign_with_detection_off_asks_for_no_detection(bank, clock, telephony):
    detecting_call(bank, clock, detect_machines=False)
    (_, request), *_ = telephony.placed
    assert request.machine_detection_s is None and request.machine_result_url is None


@pytest.mark.parametrize("machine", ["machine_start", "machine_end_beep", "fax"])
def test_a_machine_is_hung_up_on_silently_and_takes_no_seat(bank, clock, machine):
    call, session_id = detecting_call(bank, clock)

    instruction = answered_as(bank, call, machine)

    assert instruction == Goodbye(), "no seat, and no recorded message (PECR)"
    fresh, voter, outcomes = stored(bank, call)
    assert fresh.answered_by == AnsweredBy(machine) and fresh.answered_at == clock.now()
    assert fresh.connected_at is None and not fresh.abandoned and fresh.info_message_at is None
    assert voter.blocked_until is None, "no 72-hour block: nobody was abandoned"
    assert outcomes == [], "recorded when the call ends"
    assert seat(bank, session_id).state is SeatState.DIALING, "the volunteer was never put through"
    assert bank.seats.get(session_id).state is SeatState.DIALING
    figures = bank.tally.read(call.campaign_id).figures
    assert figures["all|answered"] == 1
    assert figures.get("all|abandoned", 0) == figures.get("all|connects", 0) == 0


def test_when_a_machine_call_ends_it_gets_the_answering_machine_outcome_and_the_seat_is_free(bank, clock):
    call, session_id = detecting_call(bank, clock)
    answered_as(bank, call, "machine_start")

    ended(bank, call)

    fresh, voter, outcomes = stored(bank, call)
    assert fresh.status is CallStatus.COMPLETED
    assert [outcome.disposition for outcome in outcomes] == [Disposition.MACHINE]
    assert voter.next_call_at == clock.now() + DEFAULT_RULES[Disposition.MACHINE].retry_after
    assert voter.blocked_until is None
    assert seat(bank, session_id).state is not SeatState.CONNECTED
    assert bank.tally.read(call.campaign_id).figures.get("all|abandoned", 0) == 0


def test_a_repeated_machine_answer_hangs_up_again_and_claims_nothing(bank, clock):
    call, session_id = detecting_call(bank, clock)
    answered_as(bank, call, "machine_start")
    clock.advance(1)  # the retry comes a little later, when another seat is free

    other = ready_seat(bank, make_volunteer(bank, "Kim"), call.campaign_id)
    again = answered_as(bank, call, "machine_start")

    assert again == Goodbye()
    fresh, _, _ = stored(bank, call)
    assert fresh.connected_at is None and fresh.answered_at == clock.now() - timedelta(seconds=1)
    assert seat(bank, session_id).state is SeatState.DIALING
    assert seat(bank, other).state is not SeatState.CONNECTED
    assert bank.tally.read(call.campaign_id).figures["all|answered"] == 1, "counted once"


@pytest.mark.parametrize("person", ["human", "unknown", None])
def test_a_person_or_an_undecided_answer_joins_the_seat_as_before(bank, clock, person):
    call, session_id = detecting_call(bank, clock)

    instruction = answered_as(bank, call, person)

    assert isinstance(instruction, JoinSeat)
    fresh, _, _ = stored(bank, call)
    assert fresh.connected_at == clock.now() and fresh.session_id == session_id
    assert seat(bank, session_id).state is SeatState.CONNECTED


def verdict(bank, call, answered):
    return on_machine_result(bank, MachineResult(call.id, call.provider_sid, answered))


def test_a_late_machine_verdict_never_cuts_off_a_call_put_through_to_a_volunteer(bank, clock, telephony):
    call, session_id = detecting_call(bank, clock)
    assert isinstance(answered_as(bank, call, None), JoinSeat), "put through at the answer"
    clock.advance(2)

    assert verdict(bank, call, "machine_start") is Verdict.KEPT

    assert telephony.hung_up == []
    assert seat(bank, session_id).state is SeatState.CONNECTED
    fresh, _, _ = stored(bank, call)
    assert fresh.connected_at is not None and fresh.answered_by is AnsweredBy.MACHINE_START


def test_a_machine_verdict_leaves_the_information_message_to_play_to_its_end(bank, clock, telephony):
    campaign_id = make_campaign(bank, voters=1, detect_machines=True, mode=DialingMode.PREDICTIVE)
    with bank.uow() as uow:
        voter = uow.session.exec(select(Voter)).one()
        call = CallAttempt(
            campaign_id=campaign_id,
            voter_id=voter.id,
            mode=DialingMode.PREDICTIVE,
            provider_sid="CA" + "1" * 32,
            placed_at=clock.now(),
        )
        uow.session.add(call)
        uow.commit()
        uow.session.refresh(call)
    instruction = on_answer(
        bank, Answer(call.id or 0, campaign_id, None, call.provider_sid or "", any_seat=True)
    )
    assert isinstance(instruction, InformationMessage), "nobody free: the message at once"

    assert verdict(bank, call, "machine_start") is Verdict.KEPT
    assert telephony.hung_up == []
    fresh, _, _ = stored(bank, call)
    assert fresh.abandoned, "still counted as abandoned: it may have been a person"


def test_a_machine_verdict_hangs_up_an_answered_call_nobody_is_talking_to(bank, clock, telephony):
    call, session_id = detecting_call(bank, clock)
    on_call_status(bank, StatusReport(call.id, call.provider_sid, "in-progress", 2))  # no answer webhook yet

    assert verdict(bank, call, "machine_start") is Verdict.HUNG_UP

    assert telephony.hung_up == [call.provider_sid]
    assert answered_as(bank, call, None) == Goodbye(), "a late answer webhook takes no seat"
    assert seat(bank, session_id).state is SeatState.DIALING
    ended(bank, call)
    _, voter, outcomes = stored(bank, call)
    assert [outcome.disposition for outcome in outcomes] == [Disposition.MACHINE]
    assert voter.blocked_until is None


@pytest.mark.parametrize("heard", ["human", "unknown"])
def test_a_person_verdict_changes_nothing(bank, clock, telephony, heard):
    call, _ = detecting_call(bank, clock)
    on_call_status(bank, StatusReport(call.id, call.provider_sid, "in-progress", 2))

    assert verdict(bank, call, heard) is Verdict.NOTED

    assert telephony.hung_up == []
    assert isinstance(answered_as(bank, call, None), JoinSeat)


def test_a_verdict_for_another_call_sid_is_ignored(bank, clock, telephony):
    call, _ = detecting_call(bank, clock)
    result = MachineResult(call.id, "CA" + "f" * 32, "machine_start")
    assert on_machine_result(bank, result) is Verdict.UNKNOWN_CALL
    assert telephony.hung_up == []
