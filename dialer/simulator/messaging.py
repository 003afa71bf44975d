"""Text messages on the move: outbound through the API, inbound from a phone to one of the
account's numbers, and Twilio's own opt-out handling.

An outbound message is created `queued` (no callback for that), is `sent` a second later and
`delivered` a few seconds after; a message to a landline is `undelivered` with error 30006, as
Twilio reports it. A reply of STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) to one of the
account's numbers opts the phone out of texts from that number: creating another message to it
fails with 21610 until the phone replies START (or UNSTOP, YES). The reply still reaches the
number's SMS URL, with `OptOutType`, as Twilio's Advanced Opt-Out sends it, and Twilio texts its
own confirmation back (an `outbound-reply` message).
"""

from __future__ import annotations

import phonenumbers

from dialer.simulator import wire
from dialer.simulator.exchange import Exchange
from dialer.simulator.messages import (
    DELIVERED,
    FINAL,
    LANDLINE_OR_UNREACHABLE,
    MESSAGE,
    QUEUED,
    RECEIVED,
    SENT,
    UNDELIVERED,
    Message,
)

#: Between creating a message and the carrier taking it, and between that and the handset.
SEND_DELAY_S = 1.0
DELIVERY_DELAY_S = 3.0
#: Twilio's standard opt-out and opt-in keywords (matched on the whole body, any case).
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP", "YES"})
#: What Twilio's default opt-out handling texts back (a reply from the number, not billed as API use).
AUTO_REPLIES = {
    "STOP": "You have successfully been unsubscribed. You will not receive any more messages from this "
    "number. Reply START to resubscribe.",
    "START": "You have successfully been re-subscribed to messages from this number. Reply HELP for help. "
    "Reply STOP to unsubscribe.",
}


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
