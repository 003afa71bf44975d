"""A text message as Twilio's Messages resource has it, and the account's book of them.

The book also holds who opted out of texts from which of the account's numbers; messaging.py
moves messages through their statuses and applies the opt-out keywords.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialer.simulator import wire

MESSAGE = "SM"
QUEUED, SENT, DELIVERED, UNDELIVERED, RECEIVED = "queued", "sent", "delivered", "undelivered", "received"
FINAL = frozenset({DELIVERED, UNDELIVERED, "failed", RECEIVED})
LANDLINE_OR_UNREACHABLE = 30006
ERROR_MESSAGES = {LANDLINE_OR_UNREACHABLE: "Landline or unreachable carrier"}
#: A GSM-7 segment, and a segment of a longer message (its header takes 7 characters).
SEGMENT, PART = 160, 153


@dataclass(eq=False)
class Message:
    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    direction: str
    status: str
    created: datetime
    seq: int
    status_callback: str | None = None
    sent: datetime | None = None
    updated: datetime | None = None
    error_code: int | None = None

    def uri(self) -> str:
        return f"{wire.account_path(self.account_sid)}/Messages/{self.sid}.json"

    def segments(self) -> int:
        return 1 if len(self.body) <= SEGMENT else -(-len(self.body) // PART)

    def to_json(self) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "api_version": wire.API_VERSION,
            "body": self.body,
            "date_created": wire.rfc2822(self.created),
            "date_sent": wire.rfc2822(self.sent),
            "date_updated": wire.rfc2822(self.updated or self.created),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": ERROR_MESSAGES.get(self.error_code) if self.error_code else None,
            "from": self.from_,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": str(self.segments()),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": self.uri().removesuffix(".json") + "/Media.json"},
            "to": self.to,
            "uri": self.uri(),
        }


@dataclass
class MessageBook:
    """Every message in creation order, and the phones that opted out of each account number."""

    messages: dict[str, Message] = field(default_factory=dict)
    order: list[Message] = field(default_factory=list)
    #: (phone, account number) pairs: the phone replied STOP to the number.
    opted_out: set[tuple[str, str]] = field(default_factory=set)

    def add(self, message: Message) -> None:
        self.messages[message.sid] = message
        self.order.append(message)

    def next_seq(self) -> int:
        return len(self.order)
