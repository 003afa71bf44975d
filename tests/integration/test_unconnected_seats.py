"""A seat whose volunteer's audio never joined is ended by the heartbeat, so starting again works.

Found by the load test's notes: when the callbacks of a volunteer's phone leg were lost, the seat
stayed "connecting" for good, and pressing Start again only found that same seat (no new ring).
"""

import pytest

from dialer.domain.seats import AudioLeg, SeatState
from dialer.services.calling import sessions, upkeep
from tests.integration.test_power_dialing import seat
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration

PHONE = "+447700900555"


def test_a_seat_whose_phone_leg_was_never_heard_of_again_is_ended_and_starting_again_rings_afresh(
    bank, clock, telephony, dialer_services
):
    campaign = make_campaign(bank, voters=2)
    volunteer = make_volunteer(bank, "Nia", phone=PHONE)
    stuck = sessions.start_session(bank, volunteer, campaign, AudioLeg.PHONE)
    leg = telephony.sid_to(PHONE)
    dialer_services.live.published.clear()

    clock.advance(upkeep.CONNECT_WITHIN.total_seconds() + upkeep.HEARTBEAT_EVERY.total_seconds())

    assert seat(bank, stuck.session_id).state is SeatState.ENDED
    assert leg in telephony.hung_up, "the phone leg, if it is still up somewhere, is hung up"
    told = [p for _, event, p in dialer_services.live.published if event == "seat" and p.get("reason")]
    assert told and "start again" in told[0]["reason"]
    again = sessions.start_session(bank, volunteer, campaign, AudioLeg.PHONE)
    assert again.session_id != stuck.session_id and again.state is SeatState.CONNECTING
    assert telephony.sid_to(PHONE) != leg, "the volunteer's phone rings again"


def test_a_seat_still_within_its_time_to_connect_or_already_connected_is_left_alone(bank, clock, telephony):
    campaign = make_campaign(bank, voters=2)
    connecting = sessions.start_session(
        bank, make_volunteer(bank, "Ola", phone=PHONE), campaign, AudioLeg.PHONE
    )
    calling = ready_seat(bank, make_volunteer(bank, "Ben"), campaign)
    clock.advance(upkeep.CONNECT_WITHIN.total_seconds() - 30)

    assert upkeep.end_unconnected_seats(bank) == []
    assert seat(bank, connecting.session_id).state is SeatState.CONNECTING
    assert seat(bank, calling).state is not SeatState.ENDED
