"""The browser softphone's TwiML App: found or made in the simulator, named by TWILIO_TWIML_APP_SID on Twilio."""

from __future__ import annotations

import dataclasses

import jwt
import pytest
from sqlmodel import select

from dialer.adapters.softphone_application import FRIENDLY_NAME
from dialer.adapters.twilio_telephony import TwilioTelephony
from dialer.config import Settings
from dialer.domain.seats import AudioLeg, SeatState
from dialer.errors import ConfigurationError, Conflict
from dialer.models import CallingSession
from dialer.services.calling import sessions
from dialer.simulator import Fault, Simulator
from tests.phone_bank_builders import make_campaign, make_volunteer

pytestmark = pytest.mark.integration

VOICE_URL = "https://marginal.example/voice/volunteer"


@pytest.fixture
def sim() -> Simulator:
    settings = Settings()
    return Simulator(
        account_sid=settings.account_sid,
        auth_token=settings.auth_token,
        api_keys={settings.api_key_sid: settings.api_key_secret},
    )


def simulated(sim: Simulator, voice_url: str = VOICE_URL) -> TwilioTelephony:
    return TwilioTelephony(sim.rest_client(), Settings(), softphone_url=voice_url)


def application_in(token: str) -> str:
    claims = jwt.decode(token, Settings().api_key_secret, algorithms=["HS256"])
    return str(claims["grants"]["voice"]["outgoing"]["application_sid"])


def test_the_simulators_application_is_made_on_first_use_and_reused_after(sim):
    telephony = simulated(sim)
    first = application_in(telephony.softphone_token("volunteer-1"))
    second = application_in(telephony.softphone_token("volunteer-2"))
    applications = sim.rest_client().applications.list()
    assert [(a.sid, a.friendly_name, a.voice_url, a.voice_method) for a in applications] == [
        (first, FRIENDLY_NAME, VOICE_URL, "POST")
    ]
    assert second == first


def test_a_restarted_simulator_gets_the_application_again(sim):
    telephony = simulated(sim)
    forgotten = application_in(telephony.softphone_token("volunteer-1"))
    sim.rest_client().applications(forgotten).delete()
    made_again = application_in(telephony.softphone_token("volunteer-1"))
    assert made_again != forgotten
    assert sim.rest_client().applications(made_again).fetch().voice_url == VOICE_URL


def test_another_installations_application_on_the_same_simulator_is_left_alone(sim):
    other = simulated(sim, "http://127.0.0.1:5999/voice/volunteer")
    theirs = application_in(other.softphone_token("volunteer-1"))
    ours = application_in(simulated(sim).softphone_token("volunteer-1"))
    assert ours != theirs
    assert sim.rest_client().applications(theirs).fetch().voice_url == "http://127.0.0.1:5999/voice/volunteer"


def test_real_twilio_uses_the_configured_application_and_needs_one(sim):
    unset = Settings(
        twilio_account_sid="AC" + "1" * 32,
        twilio_auth_token="t" * 32,
        twilio_api_key="SK" + "2" * 32,
        twilio_api_secret="s" * 40,
    )
    configured = unset.model_copy(update={"twilio_twiml_app_sid": "AP" + "3" * 32})
    # No REST request is made: the client points at a simulator that knows no such account.
    telephony = TwilioTelephony(sim.rest_client(), configured, softphone_url=VOICE_URL)
    claims = jwt.decode(telephony.softphone_token("volunteer-1"), "s" * 40, algorithms=["HS256"])
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == "AP" + "3" * 32

    needs_one = TwilioTelephony(sim.rest_client(), unset, softphone_url=VOICE_URL)
    with pytest.raises(ConfigurationError, match=f"TWILIO_TWIML_APP_SID .* Voice URL is {VOICE_URL}"):
        needs_one.softphone_token("volunteer-1")


def test_a_browser_session_the_provider_cannot_give_a_phone_to_ends_and_asks_to_try_again(bank, sim):
    bank = dataclasses.replace(bank, telephony=simulated(sim))
    campaign = make_campaign(bank, voters=1)
    volunteer = make_volunteer(bank)
    sim.inject(Fault("rest_5xx", status=503, count=1, match="/Applications.json"))

    with pytest.raises(Conflict, match="could not start the phone in your browser"):
        sessions.start_session(bank, volunteer, campaign, AudioLeg.BROWSER)
    with bank.uow() as uow:
        assert uow.session.exec(select(CallingSession.state)).all() == [SeatState.ENDED]

    started = sessions.start_session(bank, volunteer, campaign, AudioLeg.BROWSER)
    assert started.state is SeatState.CONNECTING
    assert application_in(started.softphone_token or "") == sim.rest_client().applications.list()[0].sid
