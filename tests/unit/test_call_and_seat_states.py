"""A call's status never moves backwards; a seat moves only along its allowed transitions."""

from dialer.adapters.twilio_telephony import render
from dialer.domain import seats
from dialer.domain.call_control import ConfirmVolunteer, Goodbye, HoldMessage, InformationMessage, JoinSeat
from dialer.domain.calls import CallStatus, is_advance, reported_status
from dialer.domain.seats import SeatState, can_move


def test_statuses_only_advance():
    assert is_advance(CallStatus.QUEUED, CallStatus.RINGING)
    assert is_advance(CallStatus.RINGING, CallStatus.COMPLETED)
    assert not is_advance(CallStatus.IN_PROGRESS, CallStatus.RINGING)
    assert not is_advance(CallStatus.COMPLETED, CallStatus.BUSY), "a final status is final"
    assert not is_advance(CallStatus.RINGING, CallStatus.RINGING)
    assert reported_status("In-Progress") is CallStatus.IN_PROGRESS
    assert reported_status("teleported") is None


def test_a_seat_cannot_skip_its_wrap_up_or_come_back_from_ended():
    assert can_move(SeatState.CONNECTED, SeatState.WRAP_UP)
    assert not can_move(SeatState.CONNECTED, SeatState.READY)
    assert not can_move(SeatState.CONNECTED, SeatState.PAUSED), "a conversation is wrapped up before pausing"
    assert can_move(SeatState.DIALING, SeatState.PAUSED), "an unanswered call ends in the pause asked for"
    assert not any(can_move(SeatState.ENDED, state) for state in SeatState)


def test_instructions_render_as_twiml():
    voter = render(JoinSeat("seat-abc", "https://x.test/voice/conference?seat=1"))
    assert "<Conference" in voter and ">seat-abc</Conference>" in voter
    assert 'endConferenceOnExit="false"' in voter and 'startConferenceOnEnter="false"' in voter
    assert 'statusCallbackEvent="join leave"' in voter
    volunteer = render(JoinSeat("seat-abc", "https://x.test/e", volunteer=True))
    assert 'startConferenceOnEnter="true"' in volunteer
    assert 'endConferenceOnExit="false"' in volunteer, "a volunteer whose audio drops must not drop the voter"
    held = render(HoldMessage("Please hold", "https://x.test/voice/hold?seat=1"))
    assert "<Say" in held and "Please hold" in held and "<Pause" in held
    assert ">https://x.test/voice/hold?seat=1</Redirect>" in held
    message = render(InformationMessage("Sorry & goodbye"))
    assert "<Say" in message and "Sorry &amp; goodbye" in message and "<Hangup" in message
    gather = render(ConfirmVolunteer("Press 1", "https://x.test/confirm"))
    assert '<Gather action="https://x.test/confirm"' in gather and 'numDigits="1"' in gather
    assert render(Goodbye()).endswith("<Response><Hangup /></Response>")


def test_an_answer_puts_the_voter_through_to_a_reserved_or_an_idle_seat_alike():
    assert seats.ANSWERED.target is seats.TAKEN_BY_ANSWER.target is SeatState.CONNECTED
    assert seats.ANSWERED.sources == {SeatState.DIALING} and seats.TAKEN_BY_ANSWER.sources == seats.IDLE


def test_a_seat_ends_from_anywhere_but_a_seat_whose_audio_never_joined_ends_only_so():
    assert seats.END.sources == seats.LIVE_SEAT_STATES
    assert seats.END_UNCONNECTED.sources == {SeatState.CONNECTING}
