"""The TwiML Application the browser softphone calls through: its Voice URL is the product's /voice/volunteer.

With real Twilio an operator creates the Application once and names it in TWILIO_TWIML_APP_SID.
The bundled simulator keeps its Applications in memory, so in simulator mode the product looks its
own up by name and Voice URL through the REST API, and creates it when it is missing (a fresh or
restarted simulator), each time a softphone token is minted.
"""

from __future__ import annotations

from twilio.rest import Client

from dialer.config import Settings
from dialer.errors import ConfigurationError

FRIENDLY_NAME = "Marginal browser softphone"


def softphone_application_sid(client: Client, settings: Settings, voice_url: str) -> str:
    """The sid of the Application whose Voice URL puts a volunteer's browser leg in their seat."""
    if not settings.uses_simulator:
        if not settings.twilio_twiml_app_sid:
            raise ConfigurationError(
                "TWILIO_TWIML_APP_SID is needed for the browser phone: create a TwiML App whose "
                f"Voice URL is {voice_url}"
            )
        return settings.twilio_twiml_app_sid
    for application in client.applications.list(friendly_name=FRIENDLY_NAME):
        if application.voice_url == voice_url:
            return str(application.sid)
    created = client.applications.create(
        friendly_name=FRIENDLY_NAME, voice_url=voice_url, voice_method="POST"
    )
    return str(created.sid)
