""" "Pause after this call": asked for at any moment of a call, it takes effect when the call ends,
and no voter is dialled for the seat in between (power dialing over real SQL and Redis)."""

import pytest

from dialer.domain.seats import AudioLeg, SeatState
from dialer.errors import Conflict
from dialer.services.calling import sessions
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from tests.integration.test_power_dialing import answer, only_call, seat, status
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


def test_a_pause_asked_for_while_the_call_rings_waits_for_it_and_then_nobody_is_dialled(
    bank, clock, telephony
):
    campaign = make_campaign(bank, voters=3)
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)  # the pacer dials a voter for the seat
    call = only_call(bank, session_id)

    assert sessions.pause(bank, volunteer, session_id) is False  # not yet: the call is ringing
    assert (seat(bank, session_id).state, seat(bank, session_id).pause_after_call) == (
        SeatState.DIALING,
        True,
    )

    status(bank, call.id, call.provider_sid, "no-answer", 2)
    assert (seat(bank, session_id).state, seat(bank, session_id).pause_after_call) == (
        SeatState.PAUSED,
        False,
    )
    clock.advance(5)
    assert len(telephony.placed) == 1, "a paused seat gets no line"

    sessions.resume(bank, volunteer, session_id)
    clock.advance(1)
    assert len(telephony.placed) == 2


def test_a_pause_asked_for_during_a_conversation_takes_effect_when_its_outcome_is_saved(
    bank, clock, telephony
):
    campaign = make_campaign(bank, voters=3)
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    answer(bank, call)

    assert sessions.pause(bank, volunteer, session_id) is False
    assert seat(bank, session_id).state is SeatState.CONNECTED  # the conversation goes on
    status(bank, call.id, call.provider_sid, "completed", 3, duration=42)
    assert seat(bank, session_id).state is SeatState.WRAP_UP
    record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "refused"))

    assert seat(bank, session_id).state is SeatState.PAUSED
    clock.advance(5)
    assert len(telephony.placed) == 1


def test_keep_calling_withdraws_the_request_and_the_seat_is_ready_after_the_call(bank, clock, telephony):
    campaign = make_campaign(bank, voters=3)
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    sessions.pause(bank, volunteer, session_id)

    sessions.resume(bank, volunteer, session_id)
    status(bank, call.id, call.provider_sid, "busy", 2)

    assert seat(bank, session_id).state in (SeatState.READY, SeatState.DIALING)
    clock.advance(1)
    assert len(telephony.placed) == 2, "the next voter is dialled"


def test_a_seat_still_connecting_its_audio_cannot_be_paused(bank):
    campaign = make_campaign(bank, voters=1)
    volunteer = make_volunteer(bank)
    started = sessions.start_session(bank, volunteer, campaign, AudioLeg.BROWSER)

    with pytest.raises(Conflict):
        sessions.pause(bank, volunteer, started.session_id)
