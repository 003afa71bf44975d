"""Long sessions, the product and the Twilio simulator on one clock: a browser seat's softphone
renews its access token as the calling page does (on the SDK's warning, from the product's route)
and stays registered past the token's hour, its call to the seat never dropped; a phone seat's leg
is given a later time limit before the provider's four hours run out; a browser seat's leg is
swapped for a fresh one (the page joins its held seat again) at a moment no voter is on the line."""

from __future__ import annotations

import pytest
from sqlmodel import select

from dialer.domain.seats import HELD_WHEN_AWAY, AudioLeg, SeatState
from dialer.models import CallAttempt, CallingSession, Voter
from dialer.services.calling import sessions
from dialer.services.calling.upkeep import open_phone_bank
from dialer.simulator import Behaviour
from dialer.simulator.simphone import NAMESPACE
from tests.one_clock import running_on_one_clock
from tests.people import csrf_headers, sign_in_as
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


class BrowserPage:
    """The calling page with browser audio, as seat-audio.js and seat-restore.js drive it: its
    softphone calls the seat; when its call ends while the seat is held for its browser audio, it
    asks to rejoin the seat and calls again on a new softphone."""

    def __init__(self, world, campaign: int):
        self.world, self.campaign = world, campaign
        bank = world.services.phone_bank
        self.client = sign_in_as(world.app.test_client(), world.services, make_volunteer(bank))
        started = self.client.post(f"/call/{campaign}/session", json={"audio": "browser"}).get_json()
        self.session = started["session"]
        self.legs: list[str] = []
        self._call(started["softphone_token"])

    def _call(self, token: str) -> None:
        sim = self.world.sim
        self.phone = sim.socketio.test_client(sim.app, namespace=NAMESPACE, auth={"token": token})
        placed = self.phone.emit(
            "call", {"params": {"session": str(self.session)}}, namespace=NAMESPACE, callback=True
        )
        self.legs.append(placed["call_sid"])

    def seat(self) -> CallingSession:
        with self.world.services.phone_bank.uow() as uow:
            seat: CallingSession | None = uow.session.get(CallingSession, self.session)
            assert seat is not None
            return seat

    def live_for(self, seconds: float, step: float = 2.0) -> None:
        """The page stays open while the clock runs, answering what its softphone hears."""
        for _ in range(int(seconds / step)):
            self.world.sim.advance(step)
            hung_up = any(item["name"] == "hangup" for item in self.phone.get_received(NAMESPACE))
            seat = self.seat()
            if hung_up and seat.away_since is not None and seat.state in HELD_WHEN_AWAY:
                self.phone.disconnect(NAMESPACE)
                again = self.client.post(
                    f"/call/{self.campaign}/session", json={"audio": "browser", "rejoin": self.session}
                ).get_json()
                self._call(again["softphone_token"])

    def save_outcome(self, call_id: int) -> None:
        saved = self.client.post(
            f"/call/session/{self.session}/outcome",
            json={"call": call_id, "disposition": "talked"},
            headers=csrf_headers(self.client),
        )
        assert saved.status_code == 200, saved.get_json()


def test_a_4_and_a_half_hour_browser_session_keeps_its_seat_past_the_providers_4_hour_limit(world):
    sim, bank = world.sim, world.services.phone_bank
    page = BrowserPage(world, make_campaign(bank, around_the_clock=True))
    page.live_for(30)
    assert page.seat().state is SeatState.READY
    first_leg = page.legs[0]

    page.live_for(4.5 * 3600, step=30)

    seat = page.seat()
    assert seat.state is SeatState.READY and seat.away_since is None, "the seat is still the volunteer's"
    assert len(page.legs) == 2 and seat.leg_call_sid == page.legs[1], "the page is in it on a fresh leg"
    assert sim.rest_client().calls(seat.leg_call_sid).fetch().status == "in-progress"
    (ended,) = sim.events(kind="ended", call_sid=first_leg)
    assert ended.data["by"] != "time-limit", "the product swapped the leg before the provider cut it"
    page.phone.disconnect(NAMESPACE)


def test_a_browser_leg_due_for_its_swap_mid_conversation_waits_until_the_voter_has_hung_up(world):
    sim, bank = world.sim, world.services.phone_bank
    campaign = make_campaign(bank, around_the_clock=True)
    page = BrowserPage(world, campaign)
    page.live_for(3 * 3600 + 25 * 60, step=60)
    sim.set_behaviour(drama_number(1), Behaviour.answer(ring=2, talk=20 * 60, patience_s=600))
    with bank.uow() as uow:  # a voter to call, five minutes before the swap falls due
        uow.session.add(
            Voter(
                campaign_id=campaign,
                first_name="Ada",
                phone_e164=drama_number(1),
                created_at=bank.clock.now(),
            )
        )
        uow.commit()
    open_phone_bank(bank, campaign)

    page.live_for(10 * 60)  # the swap falls due (3.5 hours) in the middle of the conversation
    assert page.seat().state is SeatState.CONNECTED and len(page.legs) == 1, "no swap with a voter on"
    page.live_for(20 * 60)

    with bank.uow() as uow:
        call = uow.session.exec(select(CallAttempt)).one()
    (voter_ended,) = sim.events(kind="ended", call_sid=call.provider_sid)
    assert voter_ended.data["by"] == "callee", "the voter talked until they hung up"
    assert sim.events(kind="held", call_sid=call.provider_sid) == [], "and was never put on hold"
    assert len(page.legs) == 2, "the leg was swapped once the voter had gone"
    assert page.seat().state is SeatState.WRAP_UP
    page.save_outcome(call.id)
    page.live_for(3600, step=30)
    seat = page.seat()
    assert seat.state is SeatState.READY and seat.leg_call_sid == page.legs[1]
    assert sim.rest_client().calls(seat.leg_call_sid).fetch().status == "in-progress"
    page.phone.disconnect(NAMESPACE)
