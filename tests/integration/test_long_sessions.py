"""Long sessions, the product and the Twilio simulator on one clock: a browser seat's softphone
renews its access token as the calling page does (on the SDK's warning, from the product's route)
and stays registered past the token's hour, its call to the seat never dropped; a phone seat's leg
is given a later time limit before the provider's four hours run out."""

from __future__ import annotations

import pytest

from dialer.domain.seats import AudioLeg, SeatState
from dialer.models import CallingSession
from dialer.services import sessions
from dialer.simulator import Behaviour
from dialer.simulator.simphone import NAMESPACE
from tests.one_clock import running_on_one_clock
from tests.people import sign_in_as
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def world(settings, clean_db, redis, redis_url):
    with running_on_one_clock(settings, clean_db, redis, redis_url) as wired:
        wired.app.config["WTF_CSRF_ENABLED"] = False  # the CSRF check belongs to the forms' own tests
        yield wired


def test_a_65_minute_browser_session_keeps_its_softphone_registered(world):
    sim, bank = world.sim, world.services.phone_bank
    campaign = make_campaign(bank)
    volunteer = make_volunteer(bank)
    page = sign_in_as(world.app.test_client(), world.services, volunteer)
    started = page.post(f"/call/{campaign}/session", json={"audio": "browser"}).get_json()
    session_id = started["session"]
    phone = sim.socketio.test_client(sim.app, namespace=NAMESPACE, auth={"token": started["softphone_token"]})
    leg = phone.emit("call", {"params": {"session": str(session_id)}}, namespace=NAMESPACE, callback=True)
    sim.advance(1)

    heard = []
    for _ in range(65 * 12):  # the page answers a warning within the 10 s it leaves
        sim.advance(5)
        for item in phone.get_received(NAMESPACE):
            heard.append(item["name"])
            if item["name"] == "tokenWillExpire":
                fresh = page.post(f"/call/session/{session_id}/softphone-token").get_json()["softphone_token"]
                renewed = phone.emit("updateToken", {"token": fresh}, namespace=NAMESPACE, callback=True)
                assert "error" not in renewed, renewed

    assert heard.count("tokenWillExpire") == 1, "the product's token lasts an hour on the shared clock"
    assert "error" not in heard and "hangup" not in heard
    assert sim.rest_client().calls(leg["call_sid"]).fetch().status == "in-progress"
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id)
        assert seat is not None and seat.state is SeatState.READY
    phone.disconnect(NAMESPACE)


def test_a_4_and_a_half_hour_phone_session_keeps_its_seat_past_the_providers_4_hour_limit(world):
    sim, bank = world.sim, world.services.phone_bank
    campaign = make_campaign(bank)
    phone = drama_number(901)
    sim.set_behaviour(phone, Behaviour.answer(ring=1, talk=86_400, patience_s=86_400, digits="1"))
    started = sessions.start_session(bank, make_volunteer(bank, phone=phone), campaign, AudioLeg.PHONE)
    sim.advance(30)
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, started.session_id)
        assert seat is not None and seat.state is SeatState.READY
        leg = seat.leg_call_sid

    sim.advance(4.5 * 3600)

    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, started.session_id)
        assert seat is not None and seat.state is SeatState.READY, "the seat is still the volunteer's"
        assert seat.leg_call_sid == leg
    assert sim.rest_client().calls(leg).fetch().status == "in-progress"
    assert sim.events(kind="ended", call_sid=leg) == [], "no time limit cut the leg"
