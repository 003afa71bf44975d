"""A voter who rings a campaign's caller ID back hears who called them and why, and pressing 1 puts
their number on the suppression list at once, for every campaign, audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from dialer.domain.call_control import OptOutOffer
from dialer.models import AuditEntry, SuppressionEntry, Voter
from dialer.services.calling import returned_calls
from dialer.services.compliance.audit import Action
from dialer.simulator import Behaviour
from tests.one_clock import running_on_one_clock
from tests.phone_bank_builders import drama_number, make_campaign

pytestmark = pytest.mark.integration

CALLER_ID = "+442079460000"
VOTER = drama_number(0)  # on both campaigns' lists


@pytest.fixture
def world(settings, clean_db, redis, redis_url):
    with running_on_one_clock(settings, clean_db, redis, redis_url) as wired:
        yield wired


def test_a_voter_rings_back_presses_1_and_no_campaign_calls_them_again(world):
    bank = world.services.phone_bank
    make_campaign(bank, name="Westminster phone bank", voters=2)  # opening routes the number's calls
    make_campaign(bank, name="Holborn phone bank", voters=1, open_now=False)

    sid = world.sim.ring(CALLER_ID, from_=VOTER, behaviour=Behaviour.answer(digits="1", digits_after_s=4))
    world.sim.advance(30)

    assert [e.data["digits"] for e in world.sim.events(kind="gathered", call_sid=sid)] == ["1"]
    assert world.sim.rest_client().calls(sid).fetch().status == "completed"
    with bank.uow() as uow:
        entry = uow.session.exec(select(SuppressionEntry).where(SuppressionEntry.phone_e164 == VOTER)).one()
        assert entry.reason == "opt_out" and "ringing back 020 7946 0000" in entry.source
        voters = uow.session.exec(select(Voter).where(Voter.phone_e164 == VOTER)).all()
        assert len(voters) == 2 and all(v.do_not_call and v.done for v in voters), "across campaigns"
        audited = uow.session.exec(
            select(AuditEntry).where(AuditEntry.action == Action.SUPPRESSION_ADDED.value)
        ).all()
        assert [a.subject_id for a in audited] == [str(entry.id)]
        others = uow.session.exec(select(Voter).where(Voter.phone_e164 != VOTER)).all()
        assert others and not any(v.do_not_call for v in others)


def test_a_voter_who_rings_back_and_presses_nothing_stays_callable(world):
    bank = world.services.phone_bank
    make_campaign(bank, voters=1)
    world.sim.ring(CALLER_ID, from_=VOTER, behaviour=Behaviour.answer())
    world.sim.advance(60)
    with bank.uow() as uow:
        assert uow.session.exec(select(SuppressionEntry)).all() == []


def test_the_caller_hears_which_campaign_called_them_and_how_to_opt_out(bank):
    make_campaign(bank, name="Westminster phone bank")
    offer = returned_calls.on_incoming(bank, CALLER_ID, VOTER)
    assert isinstance(offer, OptOutOffer)
    assert "This is the Westminster phone bank" in offer.text and "coming election" in offer.text
    assert "never be called again" in offer.text and "press 1" in offer.text
    assert offer.action_url.endswith("/voice/incoming/choice")


def test_opening_a_campaign_points_its_number_at_the_product(bank, telephony):
    make_campaign(bank)
    assert telephony.routes == {CALLER_ID: bank.webhooks.incoming()}
