"""A seat outlives its volunteer's audio going away mid-conversation: the voter is held, the
volunteer's new leg takes the same seat back, and a volunteer who never returns leaves an
"outcome missing" record with what they had typed, due to be called again after the campaign's rule."""

from datetime import timedelta

import pytest
from sqlmodel import select

from dialer.domain.call_control import ConfirmVolunteer, Goodbye, HoldMessage, JoinSeat
from dialer.domain.dispositions import Disposition
from dialer.domain.seats import AudioLeg, SeatState
from dialer.errors import Conflict, NotFound
from dialer.models import Campaign, Outcome, SurveyAnswer, Voter
from dialer.services.calling import outcome_drafts, seat_holding, sessions, upkeep
from dialer.services.calling.call_events import ConferenceEvent, on_conference_event
from dialer.services.calling.calling_view import session_snapshot
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from dialer.services.organising import campaign_control
from dialer.services.phone_bank import softphone_identity
from tests.integration.test_power_dialing import answer, only_call, seat, status
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration

OLD_LEG = "CA" + "1" * 32
NEW_LEG = "CA" + "2" * 32


def talking(bank, clock, *, grace_s: int = 60):
    """A volunteer in a conversation with a voter; returns (volunteer, seat id, call)."""
    campaign = make_campaign(bank, voters=2)
    with bank.uow() as uow:
        found = uow.session.get(Campaign, campaign)
        assert found is not None
        found.seat_grace_s = grace_s
        uow.commit()
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign, leg=OLD_LEG)
    clock.advance(1)
    call = only_call(bank, session_id)
    status(bank, call.id, call.provider_sid, "ringing", 1)
    assert isinstance(answer(bank, call), JoinSeat)
    assert seat(bank, session_id).state is SeatState.CONNECTED
    return volunteer, session_id, only_call(bank, session_id)


def leg_event(bank, session_id, kind, leg, sequence):
    return on_conference_event(bank, ConferenceEvent(session_id, "CF" + "9" * 32, kind, leg, sequence))


def test_a_reload_mid_conversation_holds_the_voter_and_the_new_page_gets_the_same_seat_back(
    bank, clock, telephony
):
    volunteer, session_id, call = talking(bank, clock)
    outcome_drafts.save_draft(
        bank.uow(), volunteer, session_id, call.id, {"intention": "Lab"}, "Worried about buses"
    )

    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)

    held = seat(bank, session_id)
    assert held.state is SeatState.CONNECTED and held.away_since is not None, "not ended: held"
    assert call.provider_sid not in telephony.hung_up, "the voter stays on the line"
    assert telephony.holds == [
        ("CF" + "9" * 32, call.provider_sid, True, f"{bank.webhooks.hold(session_id)}")
    ]
    message = seat_holding.hold_message(bank, session_id)
    assert isinstance(message, HoldMessage) and "hold" in message.text
    snapshot = session_snapshot(bank.uow(), volunteer, session_id)
    assert snapshot["away"] and snapshot["voter"] is not None and snapshot["call"] == call.id
    assert snapshot["draft"] == {"answers": {"intention": "Lab"}, "notes": "Worried about buses"}

    rejoined = sessions.softphone_joined(bank, session_id, f"client:{softphone_identity(volunteer)}", NEW_LEG)
    assert isinstance(rejoined, JoinSeat) and rejoined.conference == held.conference_name
    leg_event(bank, session_id, "participant-join", NEW_LEG, 11)

    back = seat(bank, session_id)
    assert back.state is SeatState.CONNECTED and back.away_since is None and back.leg_call_sid == NEW_LEG
    assert telephony.holds[-1] == ("CF" + "9" * 32, call.provider_sid, False, None), "the voter is off hold"
    clock.advance(120)
    assert upkeep.heartbeat(bank) and seat(bank, session_id).state is SeatState.CONNECTED


def test_a_new_page_faster_than_the_old_legs_goodbye_keeps_the_seat_and_hangs_the_old_leg_up(
    bank, clock, telephony
):
    volunteer, session_id, _call = talking(bank, clock)
    sessions.softphone_joined(bank, session_id, f"client:{softphone_identity(volunteer)}", NEW_LEG)
    assert OLD_LEG in telephony.hung_up
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)  # the old page's leg, late
    assert seat(bank, session_id).away_since is None and seat(bank, session_id).state is SeatState.CONNECTED


def test_a_wrap_up_outlives_the_page_and_the_outcome_saved_afterwards_frees_the_seat(bank, clock, telephony):
    volunteer, session_id, call = talking(bank, clock)
    leg_event(bank, session_id, "participant-leave", call.provider_sid, 10)  # the voter hangs up
    assert seat(bank, session_id).state is SeatState.WRAP_UP
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 11)
    assert seat(bank, session_id).state is SeatState.WRAP_UP and seat(bank, session_id).away_since
    assert not [hold for hold in telephony.holds if hold[2]], "nobody to hold in wrap-up"

    sessions.softphone_joined(bank, session_id, f"client:{softphone_identity(volunteer)}", NEW_LEG)
    leg_event(bank, session_id, "participant-join", NEW_LEG, 12)
    record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "refused"))
    assert seat(bank, session_id).state is SeatState.READY


def test_an_outcome_saved_while_the_audio_is_away_pauses_the_seat_so_no_voter_is_put_through_to_nobody(
    bank, clock, telephony
):
    volunteer, session_id, call = talking(bank, clock)
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)
    record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "refused"))
    assert seat(bank, session_id).state is SeatState.PAUSED
    with pytest.raises(Conflict, match="audio"):
        sessions.resume(bank, volunteer, session_id)


def test_a_volunteer_who_never_comes_back_leaves_an_outcome_missing_record_with_the_draft(
    bank, clock, telephony
):
    volunteer, session_id, call = talking(bank, clock, grace_s=30)
    outcome_drafts.save_draft(
        bank.uow(), volunteer, session_id, call.id, {"intention": "Lab"}, "Call about buses"
    )
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)

    clock.advance(29)
    upkeep.heartbeat(bank)
    assert seat(bank, session_id).state is SeatState.CONNECTED, "still within the grace period"
    clock.advance(2)
    upkeep.heartbeat(bank)

    assert seat(bank, session_id).state is SeatState.ENDED
    assert call.provider_sid in telephony.hung_up, "the held voter is let go"
    with bank.uow() as uow:
        outcome = uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).one()
        assert outcome.disposition is Disposition.OUTCOME_MISSING
        assert outcome.user_id == volunteer and outcome.notes == "Call about buses"
        assert [a.value for a in uow.session.exec(select(SurveyAnswer)).all()] == ["Lab"]
        voter = uow.session.get(Voter, call.voter_id)
        assert voter is not None and not voter.done
        assert voter.next_call_at == clock.now() + timedelta(hours=24), "called again after 24 h by default"
    status(bank, call.id, call.provider_sid, "completed", 5, duration=90)  # the voter's call ends
    with bank.uow() as uow:
        assert len(uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).all()) == 1


def test_an_organiser_may_set_when_outcome_missing_voters_are_called_again(bank, clock, telephony):
    _volunteer, session_id, call = talking(bank, clock, grace_s=15)
    with bank.uow() as uow:
        campaign = uow.session.get(Campaign, call.campaign_id)
        assert campaign is not None
        campaign.retry_overrides = {"outcome_missing": {"retry_after_minutes": 90}}
        uow.commit()
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)
    clock.advance(16)
    assert seat_holding.end_seats_not_back(bank) == [session_id]
    with bank.uow() as uow:
        voter = uow.session.get(Voter, call.voter_id)
        assert voter is not None and voter.next_call_at == clock.now() + timedelta(minutes=90)


def test_a_seat_with_no_conversation_still_ends_when_its_audio_goes(bank, clock, telephony):
    campaign = make_campaign(bank)  # no voters: the seat waits, ready
    session_id = ready_seat(bank, make_volunteer(bank), campaign, leg=OLD_LEG)
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)
    assert seat(bank, session_id).state is SeatState.ENDED


def test_nobody_but_the_seats_volunteer_may_save_its_draft_or_take_it_back(bank, clock, telephony):
    _volunteer, session_id, call = talking(bank, clock)
    other = make_volunteer(bank, "Mallory")
    with pytest.raises(NotFound, match="no such call"):
        outcome_drafts.save_draft(bank.uow(), other, session_id, call.id, {}, "mine now")
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)
    refused = sessions.softphone_joined(bank, session_id, f"client:{softphone_identity(other)}", NEW_LEG)
    assert isinstance(refused, Goodbye)
    assert seat(bank, session_id).away_since is not None and only_call(bank, session_id).draft is None


def test_the_organiser_sees_each_outcome_missing_conversation_listed_until_it_is_followed_up(
    bank, clock, telephony
):
    volunteer, session_id, call = talking(bank, clock, grace_s=15)
    outcome_drafts.save_draft(bank.uow(), volunteer, session_id, call.id, {}, "Wants a postal vote")
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)
    clock.advance(16)
    seat_holding.end_seats_not_back(bank)

    [row] = seat_holding.follow_ups(bank.uow(), call.campaign_id)
    assert row.voter_id == call.voter_id and row.volunteer == "Sam" and row.voter_name.startswith("Voter")
    assert row.notes == "Wants a postal vote" and row.since is None
    assert row.next_call_at == clock.now() + timedelta(hours=24)

    # The voter's next call, a day later: someone talks to them.
    with bank.uow() as uow:
        uow.session.add(
            Outcome(
                campaign_id=call.campaign_id,
                voter_id=call.voter_id,
                disposition=Disposition.TALKED,
                created_at=clock.now() + timedelta(hours=24),
            )
        )
        uow.commit()
    [row] = seat_holding.follow_ups(bank.uow(), call.campaign_id)
    assert row.since == "Talked to voter"


def test_a_volunteer_whose_own_phone_dropped_is_rung_again_and_back_with_the_voter_after_pressing_1(
    bank, clock, telephony
):
    campaign = make_campaign(bank, voters=1)
    volunteer = make_volunteer(bank, "Ola", phone="+442079460123")
    started = sessions.start_session(bank, volunteer, campaign, AudioLeg.PHONE)
    first_leg = telephony.placed[0][0]
    sessions.volunteer_phone_answered(bank, started.session_id, first_leg)
    sessions.volunteer_confirmed(bank, started.session_id, first_leg, "1")
    clock.advance(1)
    call = only_call(bank, started.session_id)
    answer(bank, call)
    session_id = started.session_id

    assert seat_holding.volunteer_left(bank, session_id, first_leg, None), "the phone's own status callback"
    leg_event(bank, session_id, "participant-leave", first_leg, 10)  # then the conference's
    assert (
        seat(bank, session_id).away_since is not None and seat(bank, session_id).state is SeatState.CONNECTED
    )
    assert telephony.holds[-1][1:3] == (call.provider_sid, True), "the voter is held"

    sessions.start_session(bank, volunteer, campaign, AudioLeg.PHONE)  # "ring my phone again"
    again, request = telephony.placed[-1]
    assert request.to == "+442079460123" and again != first_leg
    assert isinstance(sessions.volunteer_phone_answered(bank, session_id, again), ConfirmVolunteer)
    joined = sessions.volunteer_confirmed(bank, session_id, again, "1")
    assert isinstance(joined, JoinSeat) and joined.conference == seat(bank, session_id).conference_name
    leg_event(bank, session_id, "participant-join", again, 11)

    back = seat(bank, session_id)
    assert back.away_since is None and back.state is SeatState.CONNECTED and back.leg_call_sid == again
    assert telephony.holds[-1][1:3] == (call.provider_sid, False)


def test_a_page_coming_back_after_its_seat_ended_is_told_so_and_no_new_seat_is_opened(bank, clock, telephony):
    volunteer, session_id, _call = talking(bank, clock, grace_s=15)
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)
    clock.advance(16)
    seat_holding.end_seats_not_back(bank)
    with pytest.raises(Conflict, match="ended"):
        sessions.start_session(
            bank, volunteer, make_campaign(bank, name="Other"), AudioLeg.BROWSER, rejoin=session_id
        )
    with bank.uow() as uow:
        assert sessions.live_session_of(uow.session, volunteer) is None


def test_a_volunteer_comes_back_to_a_held_conversation_even_while_the_organiser_has_paused_calling(
    bank, clock, telephony
):
    volunteer, session_id, call = talking(bank, clock)
    leg_event(bank, session_id, "participant-leave", OLD_LEG, 10)
    campaign_control.change_status(bank, call.campaign_id, "pause")
    started = sessions.start_session(bank, volunteer, call.campaign_id, AudioLeg.BROWSER, rejoin=session_id)
    assert started.session_id == session_id and started.softphone_token
    with pytest.raises(Conflict, match="not taking calls"):
        sessions.start_session(bank, make_volunteer(bank, "Newcomer"), call.campaign_id, AudioLeg.BROWSER)


def test_a_seat_ended_mid_conversation_leaves_the_conversation_recorded_as_outcome_missing(
    bank, clock, telephony
):
    # The load test's one lost conversation: a volunteer's phone leg went as their voter was put
    # through, so the seat ended (nothing to hold, as far as it knew) with the voter connected.
    volunteer, session_id, call = talking(bank, clock)
    outcome_drafts.save_draft(bank.uow(), volunteer, session_id, call.id, {}, "Asked about buses")

    assert sessions.end_session(bank, volunteer, session_id, reason="your audio was disconnected")
    assert call.provider_sid in telephony.hung_up, "the voter is not left talking to nobody"
    status(bank, call.id, call.provider_sid, "completed", 5, duration=3)

    with bank.uow() as uow:
        outcome = uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).one()
        assert outcome.disposition is Disposition.OUTCOME_MISSING
        assert outcome.user_id == volunteer and outcome.notes == "Asked about buses"
    status(bank, call.id, call.provider_sid, "completed", 5, duration=3)  # Twilio repeats itself
    with bank.uow() as uow:
        assert len(uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).all()) == 1


def test_a_conversation_whose_seat_is_in_wrap_up_waits_for_the_volunteers_own_outcome(bank, clock, telephony):
    volunteer, session_id, call = talking(bank, clock)
    leg_event(bank, session_id, "participant-leave", call.provider_sid, 10)  # the voter leaves first
    assert seat(bank, session_id).state is SeatState.WRAP_UP
    status(bank, call.id, call.provider_sid, "completed", 5, duration=30)

    with bank.uow() as uow:
        assert uow.session.exec(select(Outcome).where(Outcome.call_attempt_id == call.id)).first() is None
    record_outcome(bank, volunteer, session_id, OutcomeForm(call_id=call.id, disposition="refused"))
