"""Recording outcomes: answers stored, retries scheduled, call-backs at the time asked, never twice."""

from datetime import timedelta

import pytest
from sqlmodel import select

from dialer.domain.seats import SeatState
from dialer.errors import Conflict, InvalidInput
from dialer.models import CallingSession, Outcome, PledgeSignup, SurveyAnswer, Voter
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import pledges, signup_slot
from tests.integration.test_power_dialing import answer, only_call, status
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


@pytest.fixture
def connected(bank, clock, telephony):
    """A volunteer talking to a voter."""
    campaign = make_campaign(bank, voters=5)
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    answer(bank, call)
    return volunteer, session_id, call


def test_a_conversation_is_stored_with_its_survey_answers_and_the_voter_is_done(bank, connected):
    volunteer, session_id, call = connected
    outcome_id = record_outcome(
        bank,
        volunteer,
        session_id,
        OutcomeForm(call.id, "talked", {"intention": "LD", "help": ["Leaflets", "Doors"]}, notes="Keen"),
    )
    with bank.uow() as uow:
        outcome = uow.session.get(Outcome, outcome_id)
        answers = uow.session.exec(select(SurveyAnswer).where(SurveyAnswer.outcome_id == outcome_id)).all()
        voter = uow.session.get(Voter, call.voter_id)
    assert (outcome.user_id, outcome.notes) == (volunteer, "Keen")
    assert sorted(str(a.value) for a in answers) == ["LD", "['Leaflets', 'Doors']"]
    assert voter.done


def test_recording_while_the_voter_is_on_the_line_hangs_up_first(bank, telephony, connected):
    volunteer, session_id, call = connected
    record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "refused"))
    assert telephony.hung_up == [call.provider_sid]


def test_the_same_form_twice_is_stored_once_and_a_second_outcome_is_refused(bank, connected):
    volunteer, session_id, call = connected
    form = OutcomeForm(call.id, "talked", idempotency_key="abc")
    first = record_outcome(bank, volunteer, session_id, form)
    assert record_outcome(bank, volunteer, session_id, form) == first
    with pytest.raises(Conflict):
        record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "refused"))


def test_bad_answers_lose_nothing_and_say_what_is_wrong(bank, connected):
    volunteer, session_id, call = connected
    with pytest.raises(InvalidInput, match="Who will you vote for"):
        record_outcome(
            bank, volunteer, session_id, OutcomeForm(call.id, "talked", {"intention": "Monster Raving"})
        )
    with pytest.raises(InvalidInput, match="recorded by the system"):
        record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "abandoned"))
    with pytest.raises(InvalidInput, match="not an outcome"):
        record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "shrug"))
    assert record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "talked", {"intention": "Lab"}))


def test_a_call_back_is_dialled_at_the_time_the_voter_asked_for_ahead_of_others(
    bank, clock, telephony, connected
):
    volunteer, session_id, call = connected
    with pytest.raises(InvalidInput, match="within calling hours"):
        record_outcome(
            bank,
            volunteer,
            session_id,
            OutcomeForm(call.id, "call_back", call_back_at=clock.now() + timedelta(hours=6)),
        )
    at = clock.now() + timedelta(hours=1)
    record_outcome(
        bank, volunteer, session_id, OutcomeForm(call.id, "call_back", call_back_at=at, pause_after=True)
    )
    status(bank, call.id, call.provider_sid, "completed", 5, duration=60)
    with bank.uow() as uow:
        assert uow.session.get(CallingSession, session_id).state is SeatState.PAUSED
        assert uow.session.get(Voter, call.voter_id).next_call_at == at
    from dialer.services.calling import sessions

    clock.advance(30 * 60)
    sessions.resume(bank, volunteer, session_id)
    clock.advance(1)
    assert telephony.placed[-1][1].to != telephony.placed[0][1].to, (
        "a fresh voter while the call-back is not due"
    )
    ringing = only_call(bank, session_id)
    clock.advance(31 * 60)  # the call-back is now due; the seat is still busy
    status(bank, ringing.id, ringing.provider_sid, "no-answer", 3)
    clock.advance(1)
    assert telephony.placed[-1][1].to == telephony.placed[0][1].to, "the call-back goes ahead of fresh voters"


def test_sign_ups_made_during_the_call_are_linked_to_its_outcome_and_older_ones_are_not(
    bank, clock, connected
):
    volunteer, session_id, call = connected
    with bank.uow() as uow:
        campaign_id = uow.session.get(Voter, call.voter_id).campaign_id
    day_off = pledges.create_pledge(
        bank.uow(), campaign_id, slug="day-off", text="Take polling day off", clock=bank.clock, actor=SYSTEM
    )
    lift = pledges.create_pledge(
        bank.uow(), campaign_id, slug="lift", text="Give a lift", clock=bank.clock, actor=SYSTEM
    )
    # pledged on an earlier occasion, before this call connected
    with bank.uow() as uow:
        uow.session.add(
            PledgeSignup(
                pledge_id=lift,
                voter_id=call.voter_id,
                channel="web",
                created_at=clock.now() - timedelta(days=1),
            )
        )
        uow.commit()
    assert signup_slot.sign_up_voter(bank.uow(), clock, call.voter_id, outcome_id=None, pledge_id=day_off)
    outcome_id = record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, "talked"))
    with bank.uow() as uow:
        linked = dict(uow.session.exec(select(PledgeSignup.pledge_id, PledgeSignup.outcome_id)).all())
    assert linked == {lift: None, day_off: outcome_id}
