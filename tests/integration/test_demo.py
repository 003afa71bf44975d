"""The demo seeding gives a working phone bank for a real marginal seat, on fictional numbers only."""

import pytest
from sqlmodel import select

from dialer.domain.phones import is_drama_number
from dialer.models import Campaign, CampaignSeat, Voter
from dialer.services.demo import seed_demo
from tests.phone_bank_builders import make_volunteer, ready_seat

pytestmark = pytest.mark.integration


def test_the_demo_phone_bank_is_created_once_and_dials_only_drama_numbers(bank, clock, telephony):
    campaign_id = seed_demo(bank, voters=40)
    assert seed_demo(bank, voters=40) == campaign_id
    with bank.uow() as uow:
        assert uow.session.exec(select(CampaignSeat.ons_code)).all() == ["E14001172"]
        voters = uow.session.exec(select(Voter)).all()
        assert len(uow.session.exec(select(Campaign)).all()) == 1
    assert len(voters) == 40 and all(is_drama_number(v.phone_e164) for v in voters)
    ready_seat(bank, make_volunteer(bank), campaign_id)
    clock.advance(1)
    assert len(telephony.placed) == 1 and is_drama_number(telephony.placed[0][1].to)
