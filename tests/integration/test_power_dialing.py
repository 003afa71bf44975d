"""Power dialing end to end over real SQL and Redis: one line per ready seat, answered calls join it."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from dialer.domain.call_control import InformationMessage, JoinSeat
from dialer.domain.calls import CallStatus
from dialer.domain.dispositions import Disposition
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, CallingSession, Outcome, Voter
from dialer.services.calling import sessions
from dialer.services.calling.call_events import (
    Answer,
    ConferenceEvent,
    StatusReport,
    on_answer,
    on_call_status,
    on_conference_event,
)
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


def status(bank, call_id, sid, value, sequence, duration=None):
    return on_call_status(bank, StatusReport(call_id, sid, value, sequence, duration_s=duration))


def answer(bank, call):
    return on_answer(
        bank, Answer(call.id, call.campaign_id, call.session_id, call.provider_sid, any_seat=True)
    )


def only_call(bank, session_id):
    with bank.uow() as uow:
        return uow.session.exec(
            select(CallAttempt)
            .where(CallAttempt.session_id == session_id)
            .order_by(col(CallAttempt.id).desc())
        ).first()


def seat(bank, session_id):
    with bank.uow() as uow:
        return uow.session.get(CallingSession, session_id)


def test_a_ready_seat_gets_exactly_one_line_and_the_answered_voter_joins_its_conference(
    bank, clock, telephony
):
    campaign = make_campaign(bank, voters=5)
    session_id = ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)  # the pacing and place_call jobs run

    assert len(telephony.placed) == 1
    sid, request = telephony.placed[0]
    assert request.caller_id == "+442079460000"
    assert request.ring_timeout_s == 25
    call = only_call(bank, session_id)
    assert call.provider_sid == sid
    assert seat(bank, session_id).state is SeatState.DIALING

    status(bank, call.id, sid, "initiated", 0)
    status(bank, call.id, sid, "ringing", 1)
    instruction = answer(bank, call)
    assert isinstance(instruction, JoinSeat)
    assert instruction.conference == seat(bank, session_id).conference_name
    assert not instruction.volunteer
    assert seat(bank, session_id).state is SeatState.CONNECTED

    clock.advance(5)
    assert len(telephony.placed) == 1, "a busy seat gets no second line"

    on_conference_event(bank, ConferenceEvent(session_id, "CF1", "participant-leave", sid, sequence=3))
    assert seat(bank, session_id).state is SeatState.WRAP_UP
    status(bank, call.id, sid, "completed", 3, duration=42)

    record_outcome(
        bank,
        seat(bank, session_id).user_id,
        session_id,
        OutcomeForm(call.id, "talked", answers={"intention": "Lab", "support": 4, "help": ["Doors"]}),
    )
    assert seat(bank, session_id).state is SeatState.READY
    clock.advance(1)
    assert len(telephony.placed) == 2, "the next voter is dialled once the outcome is in"


def test_a_busy_voter_frees_the_seat_for_the_next_and_is_retried_later(bank, clock, telephony):
    campaign = make_campaign(bank, voters=3)
    session_id = ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    busy_at = clock.now()
    status(bank, call.id, call.provider_sid, "busy", 2)
    clock.advance(1)
    assert len(telephony.placed) == 2
    with bank.uow() as uow:
        outcome = uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).one()
        assert outcome.disposition is Disposition.BUSY
        assert outcome.user_id is None
        voter = uow.session.get(Voter, call.voter_id)
        assert voter.attempts == 1 and not voter.done
        assert voter.next_call_at == busy_at + timedelta(hours=1)
    assert telephony.placed[1][1].to != telephony.placed[0][1].to


def test_with_no_seat_free_an_answered_call_hears_the_information_message_and_is_blocked_72_hours(
    bank, clock, telephony
):
    campaign = make_campaign(bank, voters=2)
    session_id = ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    sessions.end_session(bank, seat(bank, session_id).user_id, session_id)
    instruction = answer(bank, call)
    assert isinstance(instruction, InformationMessage)
    assert "0 2 0 7 9 4 6 0 0 0 0" in instruction.text
    status(bank, call.id, call.provider_sid, "completed", 4, duration=9)
    with bank.uow() as uow:
        stored = uow.session.get(CallAttempt, call.id)
        assert stored.abandoned and stored.status is CallStatus.COMPLETED
        voter = uow.session.get(Voter, call.voter_id)
        assert (voter.blocked_until - clock.now()).total_seconds() == pytest.approx(72 * 3600, abs=5)
        outcome = uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).one()
        assert outcome.disposition is Disposition.ABANDONED


def test_an_organiser_pausing_the_campaign_stops_a_pacing_run_at_its_next_dial(bank):
    import dataclasses

    from dialer.services.calling import dialing
    from dialer.services.organising import campaign_control
    from dialer.services.phone_bank import PLACE_CALL

    campaign = make_campaign(bank, voters=5)
    seats = [ready_seat(bank, make_volunteer(bank, name), campaign) for name in ("Ann", "Bo", "Cy")]

    class PausedAfterTheFirstDial:
        """The organiser presses Pause while the pacer is placing its first call."""

        def __init__(self, jobs):
            self.jobs, self.placed = jobs, 0

        def enqueue(self, job, *args, **options):
            if job == PLACE_CALL:
                self.placed += 1
                campaign_control.change_status(bank, campaign, "pause")
            return self.jobs.enqueue(job, *args, **options)

    jobs = PausedAfterTheFirstDial(bank.jobs)
    assert dialing.pace_campaign(dataclasses.replace(bank, jobs=jobs), campaign) == 1
    assert jobs.placed == 1
    states = sorted(seat(bank, s).state.value for s in seats)
    assert states == ["dialing", "ready", "ready"], "the other seats wait for the campaign to resume"


def test_a_line_whose_volunteer_left_before_it_was_placed_is_not_dialled(bank, clock, telephony):
    campaign = make_campaign(bank, voters=2)
    volunteer = make_volunteer(bank)
    bank.call_rate.take(now=clock.now())  # the account's budget for this second is spent
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(0.5)  # the seat is reserved; its line waits for the budget
    assert telephony.placed == [] and seat(bank, session_id).state is SeatState.DIALING
    call = only_call(bank, session_id)

    sessions.end_session(bank, volunteer, session_id)
    clock.advance(5)

    assert telephony.placed == [], "nobody is waiting for this voter: dialling them risks an abandoned call"
    with bank.uow() as uow:
        stored = uow.session.get(CallAttempt, call.id)
        voter = uow.session.get(Voter, call.voter_id)
    assert stored.status is CallStatus.CANCELED and stored.provider_sid is None
    assert voter.attempts == 0 and not voter.done, "the voter goes back to the queue, no attempt counted"
