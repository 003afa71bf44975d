"""Twilio's REST errors: an HTTP status, a numeric code and the JSON body twilio-python reads."""

from __future__ import annotations

from typing import Any

#: Codes the simulator answers with (https://www.twilio.com/docs/errors/<code>).
AUTHENTICATE = 20003
NOT_FOUND = 20404
METHOD_NOT_ALLOWED = 20004
INVALID_PARAMETER = 20001
TOO_MANY_REQUESTS = 20429
INTERNAL_ERROR = 20500
SERVICE_UNAVAILABLE = 20503
TO_MISSING = 21201
URL_MISSING = 21205
TO_INVALID = 21211
FROM_INVALID = 21212
FROM_MISSING = 21213
FROM_NOT_OWNED = 21210
APPLICATION_INVALID = 21218
CALL_STATE_INVALID = 21220
CONFERENCE_NOT_FOUND = 20404
# Messages
BODY_MISSING = 21602
FROM_MISSING_TEXT = 21603
TO_MISSING_TEXT = 21604
FROM_NOT_TEXT_CAPABLE = 21606
UNSUBSCRIBED = 21610
BODY_TOO_LONG = 21617


class TwilioError(Exception):
    """A REST failure, rendered exactly as Twilio renders it."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


def not_found(path: str) -> TwilioError:
    return TwilioError(404, NOT_FOUND, f"The requested resource {path} was not found")
