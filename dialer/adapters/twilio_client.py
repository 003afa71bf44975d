"""twilio-python clients, pointed at real Twilio or at the bundled simulator (only the base URL differs)."""

from __future__ import annotations

from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from dialer.config import Settings
from dialer.ports import ProbeResult


def make_client(settings: Settings) -> Client:
    """A REST client for the configured backend; in simulator mode only `api.base_url` changes."""
    if not settings.uses_simulator:
        return Client(settings.account_sid, settings.auth_token)
    # An empty environment: TWILIO_EDGE/TWILIO_REGION would rewrite the simulator's loopback host.
    client = Client(settings.account_sid, settings.auth_token, environment={})
    client.api.base_url = settings.simulator_url
    return client


def telephony_probe(client: Client, backend: str) -> ProbeResult:
    """OK when the provider answers an authenticated request (listing our caller IDs)."""
    try:
        numbers = client.incoming_phone_numbers.list(limit=20)
    except (TwilioException, OSError) as exc:
        return ProbeResult(False, f"{backend}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    return ProbeResult(True, f"{backend}: {len(numbers)} caller ID(s) available")
