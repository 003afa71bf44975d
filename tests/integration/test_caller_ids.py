"""On the simulator, as on Twilio: a campaign's caller ID must be one of the account's numbers or a
verified caller ID. Any other is refused when the campaign is saved, and stops its phone bank from
opening with a message saying why, before a single voter is dialled."""

from __future__ import annotations

import pytest

from dialer.domain.campaign_settings import CallingSettings
from dialer.domain.campaigns import CampaignStatus
from dialer.domain.seats import AudioLeg
from dialer.errors import Conflict, InvalidInput
from dialer.models import Campaign
from dialer.services.calling import sessions
from dialer.services.campaigns.campaigns import CampaignSpec, create_campaign
from dialer.services.organising import campaign_control
from dialer.simulator import Behaviour
from tests.one_clock import running_on_one_clock
from tests.phone_bank_builders import SEAT, drama_number, ensure_constituency, make_campaign, make_volunteer

pytestmark = pytest.mark.integration

ELSEWHERE = "+442079460999"  # a number the account neither owns nor has verified (yet)
WHY = "neither a number of the telephony account nor a verified caller ID"


@pytest.fixture
def world(settings, clean_db, redis, redis_url):
    with running_on_one_clock(settings, clean_db, redis, redis_url) as wired:
        yield wired


def test_a_campaign_is_saved_only_with_a_caller_id_the_account_owns_or_has_verified(world):
    bank = world.services.phone_bank
    ensure_constituency(bank)

    def save(name: str) -> int:
        spec = CampaignSpec(name=name, calling=CallingSettings(caller_id=ELSEWHERE), seats=[SEAT])
        return create_campaign(bank.uow(), spec, now=bank.clock.now(), telephony=bank.telephony)

    with pytest.raises(InvalidInput) as refused:
        save("Unverified")
    assert (
        refused.value.field == "caller_id"
        and WHY in str(refused.value)
        and "020 7946 0999" in str(refused.value)
    )
    world.sim.verify_caller_id(ELSEWHERE)
    assert save("Verified") > 0


def test_an_unowned_caller_id_stops_the_campaign_from_opening_with_a_clear_message(world):
    bank = world.services.phone_bank
    campaign_id = make_campaign(bank, voters=3, open_now=False)
    with bank.uow() as uow:  # saved with a number the account has since let go
        campaign = uow.session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.caller_id = ELSEWHERE
        uow.commit()
    with pytest.raises(Conflict) as refused:
        campaign_control.change_status(bank, campaign_id, "open")
    assert str(refused.value) == (
        "Westminster phone bank cannot open: the caller ID 020 7946 0999 is neither a number of the "
        "telephony account nor a verified caller ID, so every call would be refused: buy or verify it "
        "in the Twilio console, or choose one of the account's numbers."
    )
    with bank.uow() as uow:
        assert uow.session.get(Campaign, campaign_id).status is CampaignStatus.DRAFT
    rest = world.sim.rest_client()
    assert rest.calls.list() == [], "nobody was dialled"

    world.sim.verify_caller_id(ELSEWHERE)
    assert campaign_control.change_status(bank, campaign_id, "open") is CampaignStatus.ACTIVE
    phone = drama_number(900)
    world.sim.set_behaviour(phone, Behaviour.answer(ring=1, talk=3600, patience_s=3600, digits="1"))
    sessions.start_session(bank, make_volunteer(bank, phone=phone), campaign_id, AudioLeg.PHONE)
    world.sim.advance(60)
    assert [call._from for call in rest.calls.list(to=drama_number(0))] == [ELSEWHERE]


def test_the_demo_caller_id_is_one_of_the_simulators_numbers(world):
    assert "+442079460000" in world.sim.owned_caller_ids()
    assert world.services.phone_bank.telephony.may_call_from("+442079460000")
    assert not world.services.phone_bank.telephony.may_call_from("+44207946000")  # a prefix is not a match
