"""Seats: 'call my phone' needs a 1 pressed; pause and end are safe; preview shows the card before dialing."""

import pytest

from dialer.domain.call_control import ConfirmVolunteer, Goodbye, JoinSeat
from dialer.domain.campaigns import DialingMode
from dialer.domain.seats import AudioLeg, SeatState
from dialer.errors import Conflict, InvalidInput, TelephonyError
from dialer.models import CallAttempt, CallingSession, Voter
from dialer.services.calling import dialing, sessions
from tests.integration.test_power_dialing import answer, only_call, status
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


def seat(bank, session_id):
    with bank.uow() as uow:
        return uow.session.get(CallingSession, session_id)


def test_call_my_phone_rings_the_volunteer_and_waits_for_a_1_before_the_seat_is_ready(bank, clock, telephony):
    campaign = make_campaign(bank, voters=2)
    volunteer = make_volunteer(bank, phone="+442079460123")
    started = sessions.start_session(bank, volunteer, campaign, AudioLeg.PHONE)
    leg_sid, leg = telephony.placed[0]
    assert leg.to == "+442079460123" and "/voice/volunteer/answer" in leg.answer_url
    assert started.softphone_token is None
    prompt = sessions.volunteer_phone_answered(bank, started.session_id, leg_sid)
    assert isinstance(prompt, ConfirmVolunteer) and "Press 1" in prompt.prompt
    clock.advance(5)
    assert len(telephony.placed) == 1, "an unconfirmed seat (maybe voicemail) gets no voter"
    assert isinstance(sessions.volunteer_confirmed(bank, started.session_id, leg_sid, "2"), Goodbye)
    assert seat(bank, started.session_id).state is SeatState.CONNECTING
    joined = sessions.volunteer_confirmed(bank, started.session_id, leg_sid, "1")
    assert isinstance(joined, JoinSeat) and joined.volunteer
    clock.advance(1)
    assert len(telephony.placed) == 2, "confirmed: the first voter is dialled"


def test_call_my_phone_needs_a_number_and_a_phone_that_answers(bank, telephony):
    campaign = make_campaign(bank, voters=1)
    with pytest.raises(InvalidInput, match="phone number"):
        sessions.start_session(bank, make_volunteer(bank), campaign, AudioLeg.PHONE)
    volunteer = make_volunteer(bank, "Kim", phone="+442079460124")
    started = sessions.start_session(bank, volunteer, campaign, AudioLeg.PHONE)
    leg_sid = telephony.placed[0][0]
    sessions.volunteer_leg_ended(bank, started.session_id, leg_sid, "no-answer")
    assert seat(bank, started.session_id).state is SeatState.ENDED
    telephony.failures.append(TelephonyError("down", retryable=True))
    with pytest.raises(Conflict, match="could not ring your phone"):
        sessions.start_session(bank, volunteer, campaign, AudioLeg.PHONE)


def test_a_softphone_may_join_only_its_own_volunteers_seat(bank):
    campaign = make_campaign(bank)
    volunteer = make_volunteer(bank)
    started = sessions.start_session(bank, volunteer, campaign, AudioLeg.BROWSER)
    assert started.softphone_token == f"token-for-volunteer-{volunteer}"
    assert isinstance(
        sessions.softphone_joined(bank, started.session_id, "client:volunteer-999", "CA1"), Goodbye
    )
    assert isinstance(
        sessions.softphone_joined(bank, started.session_id, f"client:volunteer-{volunteer}", "CA1"), JoinSeat
    )


def test_ending_a_session_cancels_a_ringing_call(bank, clock, telephony):
    """(Pausing during a call waits for it to end: tests/integration/test_pause_after_call.py.)"""
    campaign = make_campaign(bank, voters=3)
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    status(bank, call.id, call.provider_sid, "no-answer", 2)
    clock.advance(1)
    second = only_call(bank, session_id)
    sessions.end_session(bank, volunteer, session_id)
    assert second.provider_sid in telephony.hung_up
    assert seat(bank, session_id).state is SeatState.ENDED
    assert sessions.start_session(bank, volunteer, campaign, AudioLeg.BROWSER).session_id != session_id


def test_a_volunteer_calls_one_phone_bank_at_a_time(bank):
    first, second = make_campaign(bank), make_campaign(bank, name="Other")
    volunteer = make_volunteer(bank)
    ready_seat(bank, volunteer, first)
    with pytest.raises(Conflict, match="another phone bank"):
        sessions.start_session(bank, volunteer, second, AudioLeg.BROWSER)


def test_preview_shows_a_card_then_dials_on_request_and_skips_to_the_next(bank, clock, telephony):
    campaign = make_campaign(bank, voters=3, mode=DialingMode.PREVIEW)
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)
    assert telephony.placed == [], "preview never dials by itself"
    first_card = seat(bank, session_id).preview_voter_id
    assert first_card is not None
    dialing.skip_preview(bank, volunteer, session_id)
    second_card = seat(bank, session_id).preview_voter_id
    assert second_card not in (None, first_card)
    call_id = dialing.dial_preview(bank, volunteer, session_id)
    clock.advance(1)
    with bank.uow() as uow:
        call = uow.session.get(CallAttempt, call_id)
        carded = uow.session.get(Voter, second_card)
    assert call.voter_id == second_card
    assert [placed.to for _, placed in telephony.placed] == [carded.phone_e164]
    assert "any_seat=0" in telephony.placed[0][1].answer_url
    assert isinstance(answer(bank, call), JoinSeat)


def test_a_provider_hiccup_is_retried_with_backoff_without_counting_an_attempt(bank, clock, telephony):
    campaign = make_campaign(bank, voters=2)
    telephony.failures += [TelephonyError("429", retryable=True, status=429, code=20429)] * 2
    ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(0.5)
    assert telephony.placed == []
    clock.advance(1)
    assert telephony.placed == [], "second try after 1 s fails too"
    clock.advance(2)
    assert len(telephony.placed) == 1, "third try after 2 s more succeeds"
    with bank.uow() as uow:
        from sqlmodel import col, select

        from dialer.models import Voter

        assert [v.attempts for v in uow.session.exec(select(Voter).order_by(col(Voter.id))).all()] == [1, 0]


def test_the_calls_per_second_budget_spaces_out_dials(bank, clock, telephony):
    campaign = make_campaign(bank, voters=5)
    for n in range(3):
        ready_seat(bank, make_volunteer(bank, f"V{n}"), campaign)
    clock.advance(0.1)
    assert len(telephony.placed) == 1
    clock.advance(1)
    assert len(telephony.placed) == 2
    clock.advance(1)
    assert len(telephony.placed) == 3
