"""Access Tokens for the volunteer's browser phone: a VoiceGrant signed with the account's API key.

The same token works with Twilio's Voice SDK and with the simulator's SimPhone (which checks it
with the API key secret exactly as Twilio does), so the calling page has one code path.
"""

from __future__ import annotations

from datetime import datetime

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from dialer.config import Settings
from dialer.errors import ConfigurationError

DEFAULT_TTL_S = 3600


def voice_token(
    settings: Settings,
    identity: str,
    *,
    application_sid: str,
    ttl: int = DEFAULT_TTL_S,
    now: datetime | None = None,
) -> str:
    """A JWT letting `identity` call out through the TwiML Application and receive calls, valid for
    `ttl` seconds from `now` (the product's clock; the wall clock when not given)."""
    if not settings.api_key_sid or not settings.api_key_secret:
        raise ConfigurationError("TWILIO_API_KEY and TWILIO_API_SECRET are needed for the browser phone")
    if not identity:
        raise ValueError("a browser phone needs an identity")
    issued = int(now.timestamp()) if now is not None else None
    token = AccessToken(
        settings.account_sid,
        settings.api_key_sid,
        settings.api_key_secret,
        identity=identity,
        ttl=ttl,
        nbf=issued if issued is not None else AccessToken.GENERATE,
        valid_until=issued + ttl if issued is not None else None,
    )
    token.add_grant(VoiceGrant(outgoing_application_sid=application_sid, incoming_allow=True))
    return str(token.to_jwt())
