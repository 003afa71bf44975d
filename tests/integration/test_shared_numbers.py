"""People who share a number (a household's landline): one call at a time, and every rule kept per
number (the 72-hour block after an abandoned call, a wrong number) holds for everyone on it."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from dialer.domain.call_control import InformationMessage
from dialer.domain.dispositions import Disposition
from dialer.models import Voter
from dialer.services.calling import sessions
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from dialer.services.calling.upkeep import open_phone_bank
from dialer.services.campaigns.campaigns import VoterSpec, add_voters
from tests.integration.test_power_dialing import answer, only_call, seat, status
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration

SHARED = drama_number(500)


def add_people(bank, campaign_id, *people):
    """Voters (first name, number) added to a campaign's list and its queue."""
    specs = [VoterSpec(name, phone, last_name="Household") for name, phone in people]
    result = add_voters(bank.uow(), campaign_id, specs, now=bank.clock.now())
    assert result.errors == [] and result.added == len(people)
    open_phone_bank(bank, campaign_id)


def people(bank):
    with bank.uow() as uow:
        return {v.first_name: v for v in uow.session.exec(select(Voter).order_by(col(Voter.id))).all()}


def dialled(telephony):
    return [request.to for _, request in telephony.placed]


def test_a_number_shared_by_several_voters_is_in_one_call_at_a_time(bank, clock, telephony):
    campaign = make_campaign(bank)
    add_people(bank, campaign, ("Alice", SHARED), ("Eve", SHARED), ("Bob", SHARED))
    for name in ("Sam", "Kim", "Lee"):
        ready_seat(bank, make_volunteer(bank, name), campaign)
    clock.advance(1)
    assert dialled(telephony) == [SHARED], "three ready seats, one number: one call"


def test_an_abandoned_call_to_one_person_at_a_shared_number_blocks_every_person_at_that_number_for_72_hours(
    bank, clock, telephony
):
    campaign = make_campaign(bank, around_the_clock=True)
    neighbours = make_campaign(bank, name="Neighbouring seat", around_the_clock=True)
    add_people(bank, campaign, ("Alice", SHARED), ("Eve", SHARED))
    add_people(bank, neighbours, ("Bob", SHARED))
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    sessions.end_session(bank, volunteer, session_id)  # nobody is free when the number answers
    abandoned_at = clock.now()
    assert isinstance(answer(bank, call), InformationMessage)
    status(bank, call.id, call.provider_sid, "completed", 4, duration=9)
    add_people(bank, campaign, ("Carol", SHARED), ("Zed", drama_number(501)))  # listed afterwards

    blocked = {name: v.blocked_until for name, v in people(bank).items() if v.phone_e164 == SHARED}
    assert blocked.keys() == {"Alice", "Eve", "Bob", "Carol"}
    for name in ("Alice", "Eve", "Bob"):
        assert blocked[name] - abandoned_at == pytest.approx(timedelta(hours=72), abs=timedelta(seconds=5))

    clock.advance(71 * 3600)
    seats = [ready_seat(bank, make_volunteer(bank, "Kim"), c) for c in (campaign, neighbours, campaign)]
    clock.advance(30 * 60)
    assert dialled(telephony)[1:] == [drama_number(501)], "nobody at the shared number within 72 hours"

    other = only_call(bank, seats[0]) or only_call(bank, seats[2])
    status(bank, other.id, other.provider_sid, "no-answer", 2)
    for session in seats:
        sessions.end_session(bank, seat(bank, session).user_id, session)
    clock.advance(31 * 60)  # 72 hours and a minute after the abandoned call
    ready_seat(bank, make_volunteer(bank, "Lee"), campaign)
    clock.advance(1)
    assert dialled(telephony)[-1] == SHARED, "the block ends after 72 hours"


def test_a_wrong_number_for_one_person_is_wrong_for_everyone_on_the_list_at_that_number(
    bank, clock, telephony
):
    campaign = make_campaign(bank)
    add_people(bank, campaign, ("Alice", SHARED), ("Eve", SHARED))
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    answer(bank, call)
    add_people(bank, campaign, ("Zed", drama_number(501)))
    record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, Disposition.WRONG_NUMBER.value))

    everyone = people(bank)
    assert everyone["Alice"].done and everyone["Eve"].done and not everyone["Zed"].done
    clock.advance(1)
    assert dialled(telephony) == [SHARED, drama_number(501)]
    assert bank.queue.waiting(campaign) == 0, "nobody at the wrong number waits in the queue"


def test_a_line_nobody_picked_up_is_not_rung_again_at_once_to_ask_for_someone_else_there(
    bank, clock, telephony
):
    campaign = make_campaign(bank)
    add_people(bank, campaign, ("Alice", SHARED), ("Eve", SHARED))
    session_id = ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    add_people(bank, campaign, ("Zed", drama_number(501)))
    status(bank, call.id, call.provider_sid, "no-answer", 2)
    clock.advance(60)

    assert dialled(telephony) == [SHARED, drama_number(501)], "the next call goes to another number"
    [called] = [v for v in people(bank).values() if v.id == call.voter_id]
    [housemate] = [v for v in people(bank).values() if v.phone_e164 == SHARED and v.id != called.id]
    assert called.next_call_at > clock.now() + timedelta(hours=3), "no answer: retried in 4 hours"
    assert housemate.next_call_at == called.next_call_at
    assert housemate.attempts == 0, "the housemate was not called: no attempt of theirs is counted"


def test_a_tps_flag_on_anyone_at_a_number_keeps_everyone_there_from_being_rung(bank, clock, telephony):
    campaign = make_campaign(bank, open_now=False)
    add_people(bank, campaign, ("Alice", SHARED), ("Eve", SHARED), ("Zed", drama_number(501)))
    with bank.uow() as uow:
        alice = uow.session.exec(select(Voter).where(Voter.first_name == "Alice")).one()
        alice.tps = True
        uow.commit()
    open_phone_bank(bank, campaign)
    for name in ("Sam", "Kim"):
        ready_seat(bank, make_volunteer(bank, name), campaign)
    clock.advance(60)
    assert dialled(telephony) == [drama_number(501)]


def test_a_number_dialled_today_by_one_campaign_is_not_rung_by_another_for_someone_else_there(
    bank, clock, telephony
):
    campaign = make_campaign(bank)
    neighbours = make_campaign(bank, name="Neighbouring seat")
    add_people(bank, campaign, ("Alice", SHARED))
    add_people(bank, neighbours, ("Bob", SHARED), ("Zed", drama_number(501)))
    session_id = ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    status(bank, call.id, call.provider_sid, "no-answer", 2)
    ready_seat(bank, make_volunteer(bank, "Kim"), neighbours)
    clock.advance(60)
    assert dialled(telephony) == [SHARED, drama_number(501)], "Bob's number was rung today already"


def test_one_persons_export_and_erasure_leave_the_others_at_their_number_alone(bank, clock, dialer_services):
    from dialer.services.compliance.audit import Actor
    from dialer.services.data_protection import data_protection

    campaign = make_campaign(bank)
    neighbours = make_campaign(bank, name="Neighbouring seat")
    add_people(bank, campaign, ("Alice", SHARED), ("Eve", SHARED))
    add_people(bank, neighbours, ("Alice", SHARED))
    alice = [v.id for v in people_list(bank) if v.first_name == "Alice"]

    exported = data_protection.export_voter(bank.uow(), clock, Actor(None), alice[0])
    assert [record["first_name"] for record in exported["records"]] == ["Alice", "Alice"]
    data_protection.erase_voter(
        bank.uow(), clock, Actor(None), alice[0], number_key=dialer_services.number_key, queue=bank.queue
    )

    left = [(v.first_name, v.phone_e164, v.erased_at is None) for v in people_list(bank)]
    assert left == [("", None, False), ("Eve", SHARED, True), ("", None, False)]


def people_list(bank):
    with bank.uow() as uow:
        return uow.session.exec(select(Voter).order_by(col(Voter.id))).all()
