"""What an account owns: its phone numbers, the other numbers it has verified as caller IDs, and
TwiML Applications (the browser leg). A call may come from an owned or a verified number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dialer.simulator import wire


@dataclass(eq=False)
class PhoneNumber:
    sid: str
    account_sid: str
    phone_number: str
    created: datetime
    friendly_name: str = ""
    #: Where Twilio asks what to do with a call to this number (None: nobody answers it).
    voice_url: str | None = None
    voice_method: str = "POST"
    updated: datetime | None = None
    #: Where Twilio sends a text message to this number (None: nobody reads it).
    sms_url: str | None = None
    sms_method: str = "POST"

    #: Form field -> attribute, for update.
    FIELDS = {
        "FriendlyName": "friendly_name",
        "VoiceUrl": "voice_url",
        "VoiceMethod": "voice_method",
        "SmsUrl": "sms_url",
        "SmsMethod": "sms_method",
    }

    def uri(self) -> str:
        return f"{wire.account_path(self.account_sid)}/IncomingPhoneNumbers/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "address_requirements": "none",
            "address_sid": None,
            "api_version": wire.API_VERSION,
            "beta": False,
            "bundle_sid": None,
            "capabilities": {"fax": False, "mms": False, "sms": True, "voice": True},
            "date_created": wire.rfc2822(self.created),
            "date_updated": wire.rfc2822(self.updated or self.created),
            "emergency_address_sid": None,
            "emergency_address_status": "unregistered",
            "emergency_status": "Inactive",
            "friendly_name": self.friendly_name or wire.formatted(self.phone_number),
            "identity_sid": None,
            "origin": "twilio",
            "phone_number": self.phone_number,
            "sid": self.sid,
            "sms_application_sid": None,
            "sms_fallback_method": "POST",
            "sms_fallback_url": None,
            "sms_method": self.sms_method,
            "sms_url": self.sms_url,
            "status": "in-use",
            "status_callback": None,
            "status_callback_method": "POST",
            "trunk_sid": None,
            "type": "local",
            "uri": self.uri(),
            "voice_application_sid": None,
            "voice_caller_id_lookup": False,
            "voice_fallback_method": "POST",
            "voice_fallback_url": None,
            "voice_method": self.voice_method,
            "voice_receive_mode": "voice",
            "voice_url": self.voice_url,
        }


@dataclass(eq=False)
class OutgoingCallerId:
    """A number the account holder proved is theirs (Twilio rings it with a code): usable as `From`."""

    sid: str
    account_sid: str
    phone_number: str
    created: datetime
    friendly_name: str = ""

    def uri(self) -> str:
        return f"{wire.account_path(self.account_sid)}/OutgoingCallerIds/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "date_created": wire.rfc2822(self.created),
            "date_updated": wire.rfc2822(self.created),
            "friendly_name": self.friendly_name or wire.formatted(self.phone_number),
            "phone_number": self.phone_number,
            "sid": self.sid,
            "uri": self.uri(),
        }


@dataclass(eq=False)
class Application:
    sid: str
    account_sid: str
    created: datetime
    seq: int
    friendly_name: str = ""
    voice_url: str | None = None
    voice_method: str = "POST"
    voice_fallback_url: str | None = None
    voice_fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    updated: datetime | None = None

    #: Form field -> attribute, for create and update.
    FIELDS = {
        "FriendlyName": "friendly_name",
        "VoiceUrl": "voice_url",
        "VoiceMethod": "voice_method",
        "VoiceFallbackUrl": "voice_fallback_url",
        "VoiceFallbackMethod": "voice_fallback_method",
        "StatusCallback": "status_callback",
        "StatusCallbackMethod": "status_callback_method",
    }

    def uri(self) -> str:
        return f"{wire.account_path(self.account_sid)}/Applications/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "api_version": wire.API_VERSION,
            "date_created": wire.rfc2822(self.created),
            "date_updated": wire.rfc2822(self.updated or self.created),
            "friendly_name": self.friendly_name,
            "message_status_callback": None,
            "public_application_connect_enabled": False,
            "sid": self.sid,
            "sms_fallback_method": "POST",
            "sms_fallback_url": None,
            "sms_method": "POST",
            "sms_status_callback": None,
            "sms_url": None,
            "status_callback": self.status_callback,
            "status_callback_method": self.status_callback_method,
            "uri": self.uri(),
            "voice_caller_id_lookup": False,
            "voice_fallback_method": self.voice_fallback_method,
            "voice_fallback_url": self.voice_fallback_url,
            "voice_method": self.voice_method,
            "voice_url": self.voice_url,
        }
