"""A failed call is classified by the SIP response Twilio reports: a number that does not exist is a
wrong number; the carrier's trouble (congestion, temporary failures) is tried again later and costs
the voter no attempt, up to a cap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from dialer.domain.dispositions import UNCOUNTED_CARRIER_FAILURES, Disposition
from dialer.domain.seats import AudioLeg
from dialer.models import CallAttempt, Outcome, Voter
from dialer.services.calling import sessions
from dialer.services.calling.call_events import StatusReport, on_call_status
from dialer.simulator import Behaviour
from tests.one_clock import running_on_one_clock
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration

CONGESTED, MISSING = drama_number(0), drama_number(1)


@pytest.fixture
def world(settings, clean_db, redis, redis_url):
    with running_on_one_clock(settings, clean_db, redis, redis_url) as wired:
        yield wired


def _by_number(bank):
    with bank.uow() as uow:
        rows = uow.session.exec(
            select(Voter, Outcome).join(Outcome, col(Outcome.voter_id) == col(Voter.id))
        ).all()
        return {voter.phone_e164: (voter, outcome) for voter, outcome in rows}


def test_a_503_failed_call_is_retried_without_an_attempt_and_a_404_one_is_a_wrong_number(world):
    bank = world.services.phone_bank
    campaign = make_campaign(bank, voters=2)
    world.sim.set_behaviour(CONGESTED, Behaviour.congested())
    world.sim.set_behaviour(MISSING, Behaviour.invalid(sip_code=404))
    phone = drama_number(900)
    world.sim.set_behaviour(phone, Behaviour.answer(ring=1, talk=3600, patience_s=3600, digits="1"))
    sessions.start_session(bank, make_volunteer(bank, phone=phone), campaign, AudioLeg.PHONE)
    started = bank.clock.now()
    world.sim.advance(60)

    found = _by_number(bank)
    congested, congested_outcome = found[CONGESTED]
    assert congested_outcome.disposition is Disposition.CARRIER_FAILURE
    assert not congested.done and congested.attempts == 0
    assert congested.next_call_at is not None
    assert timedelta(minutes=30) <= congested.next_call_at - started < timedelta(minutes=31)
    missing, missing_outcome = found[MISSING]
    assert missing_outcome.disposition is Disposition.WRONG_NUMBER
    assert missing.done and missing.attempts == 1
    with bank.uow() as uow:
        congested_call = uow.session.exec(
            select(CallAttempt).where(CallAttempt.voter_id == congested.id)
        ).one()
        assert "503" in (congested_call.error or "")

    world.sim.set_behaviour(CONGESTED, Behaviour.busy())  # the network has recovered
    world.sim.advance(31 * 60)
    rest = world.sim.rest_client()
    assert len(rest.calls.list(to=CONGESTED)) == 2, "rung again once the retry time came"
    assert len(rest.calls.list(to=MISSING)) == 1, "a number that does not exist is never rung again"


def test_after_the_cap_a_carrier_failure_counts_as_an_attempt(bank, clock, telephony):
    campaign = make_campaign(bank, voters=1)
    ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    with bank.uow() as uow:
        call = uow.session.exec(select(CallAttempt)).one()
        for _ in range(UNCOUNTED_CARRIER_FAILURES):  # the network failed this voter's calls before
            uow.session.add(
                Outcome(
                    campaign_id=campaign,
                    voter_id=call.voter_id,
                    disposition=Disposition.CARRIER_FAILURE,
                    created_at=clock.now(),
                )
            )
        uow.commit()
    report = StatusReport(call.id, call.provider_sid or "", "failed", 1, payload={}, sip_code=503)
    on_call_status(bank, report)
    with bank.uow() as uow:
        voter = uow.session.get(Voter, call.voter_id)
        assert voter is not None and voter.attempts == 1 and not voter.done


def test_a_failed_call_without_a_sip_code_is_not_taken_for_a_wrong_number(bank, clock, telephony):
    campaign = make_campaign(bank, voters=1)
    ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    with bank.uow() as uow:
        call = uow.session.exec(select(CallAttempt)).one()
    on_call_status(bank, StatusReport(call.id, call.provider_sid or "", "failed", 1, payload={}))
    with bank.uow() as uow:
        voter = uow.session.get(Voter, call.voter_id)
        outcome = uow.session.exec(select(Outcome)).one()
    assert voter is not None and not voter.done and voter.attempts == 0
    assert outcome.disposition is Disposition.CARRIER_FAILURE
