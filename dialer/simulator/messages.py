"""Text messages as Twilio's Messages resource has them: outbound through the API, inbound from a
phone to one of the account's numbers, and Twilio's own opt-out handling.

An outbound message is created `queued` (no callback for that), is `sent` a second later and
`delivered` a few seconds after; a message to a landline is `undelivered` with error 30006, as
Twilio reports it. A reply of STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) to one of the
account's numbers opts the phone out of texts from that number: creating another message to it
fails with 21610 until the phone replies START (or UNSTOP, YES). The reply still reaches the
number's SMS URL, with `OptOutType`, as Twilio's Advanced Opt-Out sends it, and Twilio texts its
own confirmation back (an `outbound-reply` message).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import phonenumbers

from dialer.simulator import wire

if TYPE_CHECKING:
    from dialer.simulator.exchange import Exchange

MESSAGE = "SM"
QUEUED, SENT, DELIVERED, UNDELIVERED, RECEIVED = "queued", "sent", "delivered", "undelivered", "received"
FINAL = frozenset({DELIVERED, UNDELIVERED, "failed", RECEIVED})
#: Between creating a message and the carrier taking it, and between that and the handset.
SEND_DELAY_S = 1.0
DELIVERY_DELAY_S = 3.0
#: Twilio's standard opt-out and opt-in keywords (matched on the whole body, any case).
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP", "YES"})
LANDLINE_OR_UNREACHABLE = 30006
ERROR_MESSAGES = {LANDLINE_OR_UNREACHABLE: "Landline or unreachable carrier"}
#: What Twilio's default opt-out handling texts back (a reply from the number, not billed as API use).
AUTO_REPLIES = {
    "STOP": "You have successfully been unsubscribed. You will not receive any more messages from this "
    "number. Reply START to resubscribe.",
    "START": "You have successfully been re-subscribed to messages from this number. Reply HELP for help. "
    "Reply STOP to unsubscribe.",
}
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


def send(exchange: Exchange, to: str, from_: str, body: str, status_callback: str | None) -> Message:
    """An outbound message (already checked), queued now and sent, then delivered, on the clock."""
    book = exchange.messages
    message = Message(
        sid=exchange.sids.new(MESSAGE),
        account_sid=exchange.account_sid,
        to=to,
        from_=from_,
        body=body,
        direction="outbound-api",
        status=QUEUED,
        created=exchange.clock.now(),
        seq=book.next_seq(),
        status_callback=status_callback,
    )
    book.add(message)
    exchange.log("message-created", None, message_sid=message.sid, to=to, from_=from_)
    exchange.later(SEND_DELAY_S, lambda: _move(exchange, message, SENT))
    if can_take_texts(to):
        exchange.later(SEND_DELAY_S + DELIVERY_DELAY_S, lambda: _move(exchange, message, DELIVERED))
    else:
        exchange.later(
            SEND_DELAY_S + DELIVERY_DELAY_S,
            lambda: _move(exchange, message, UNDELIVERED, error=LANDLINE_OR_UNREACHABLE),
        )
    return message


def receive(
    exchange: Exchange, to: str, from_: str, body: str, sms_url: str | None, sms_method: str
) -> Message:
    """A phone texts one of the account's numbers: opt-out keywords take effect at once, and the
    number's SMS URL (if it has one) is told."""
    book = exchange.messages
    now = exchange.clock.now()
    message = Message(
        sid=exchange.sids.new(MESSAGE),
        account_sid=exchange.account_sid,
        to=to,
        from_=from_,
        body=body,
        direction="inbound",
        status=RECEIVED,
        created=now,
        sent=now,
        seq=book.next_seq(),
    )
    book.add(message)
    keyword = body.strip().upper()
    opt_out_type = None
    if keyword in OPT_OUT_KEYWORDS:
        book.opted_out.add((from_, to))
        opt_out_type = "STOP"
    elif keyword in OPT_IN_KEYWORDS:
        book.opted_out.discard((from_, to))
        opt_out_type = "START"
    exchange.log("message-received", None, message_sid=message.sid, to=to, opt_out=opt_out_type)
    if sms_url:
        params = _params(exchange, message)
        params.update(Body=body, NumMedia="0", NumSegments=str(message.segments()), SmsMessageSid=message.sid)
        if opt_out_type:
            params["OptOutType"] = opt_out_type
        exchange.webhook(message.sid, "sms", sms_method, sms_url, params)
    if opt_out_type:
        _auto_reply(exchange, message, AUTO_REPLIES[opt_out_type])
    return message


def _auto_reply(exchange: Exchange, received: Message, body: str) -> None:
    """Twilio answers STOP and START itself, from the number texted, before the account's app could."""
    book = exchange.messages
    reply = Message(
        sid=exchange.sids.new(MESSAGE),
        account_sid=exchange.account_sid,
        to=received.from_,
        from_=received.to,
        body=body,
        direction="outbound-reply",
        status=QUEUED,
        created=exchange.clock.now(),
        seq=book.next_seq(),
    )
    book.add(reply)
    exchange.later(SEND_DELAY_S, lambda: _move(exchange, reply, SENT))
    exchange.later(SEND_DELAY_S + DELIVERY_DELAY_S, lambda: _move(exchange, reply, DELIVERED))


def can_take_texts(number: str) -> bool:
    """Mobiles (and numbers that may be either) take texts; a landline does not. Ofcom's drama
    mobile range counts as mobile, though libphonenumber calls it unassigned."""
    if number.startswith("+447700900"):
        return True
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _move(exchange: Exchange, message: Message, status: str, *, error: int | None = None) -> None:
    if message.status in FINAL:
        return
    now = exchange.clock.now()
    message.status, message.updated, message.error_code = status, now, error
    if status == SENT:
        message.sent = now
    if message.status_callback:
        params = _params(exchange, message)
        if error is not None:
            params["ErrorCode"] = str(error)
        exchange.webhook(message.sid, f"message:{status}", "POST", message.status_callback, params)


def _params(exchange: Exchange, message: Message) -> dict[str, str]:
    """What Twilio sends with every request about a message."""
    return {
        "AccountSid": exchange.account_sid,
        "ApiVersion": wire.API_VERSION,
        "From": message.from_,
        "MessageSid": message.sid,
        "MessageStatus": message.status,
        "SmsSid": message.sid,
        "SmsStatus": message.status,
        "To": message.to,
    }
