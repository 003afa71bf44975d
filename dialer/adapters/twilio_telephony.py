"""Telephony through twilio-python (real Twilio or the simulator), and call instructions rendered as TwiML."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from twilio.base import values
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Dial, VoiceResponse

from dialer.adapters.softphone_application import softphone_application_sid
from dialer.adapters.voice_tokens import voice_token
from dialer.config import Settings
from dialer.domain.call_control import (
    CallInstruction,
    ConfirmVolunteer,
    Goodbye,
    HoldMessage,
    InformationMessage,
    JoinSeat,
    OptOutOffer,
)
from dialer.errors import TelephonyError
from dialer.ports import Clock, OutboundCall, OutboundText, ProviderCall

#: The dialer never waits longer than this for the provider's REST API.
REQUEST_TIMEOUT_S = 10.0
#: Twilio's "too many requests" error, sent with HTTP 429 when the account's API rate is exceeded.
TOO_MANY_REQUESTS = 20429
#: Status callbacks the dialer subscribes to (the final status is always sent). Not "initiated": the
#: REST reply already told the dialer the call was placed, and each callback is a webhook to serve.
CALL_EVENTS = ["ringing", "answered", "completed"]
VOICE = {"voice": "Polly.Amy", "language": "en-GB"}

T = TypeVar("T")


class TwilioTelephony:
    def __init__(
        self, client: Client, settings: Settings, *, softphone_url: str, clock: Clock | None = None
    ) -> None:
        """`softphone_url` is the Voice URL the browser softphone's TwiML App must call; `clock`
        dates the softphone's tokens (the product's clock, which a simulated shift shares)."""
        if isinstance(client.http_client, TwilioHttpClient) and client.http_client.timeout is None:
            client.http_client.timeout = REQUEST_TIMEOUT_S
        self._client = client
        self._settings = settings
        self._softphone_url = softphone_url
        self._clock = clock

    def place_call(self, call: OutboundCall) -> str:
        detecting = call.machine_detection_s is not None
        created = self._request(
            lambda: self._client.calls.create(
                to=call.to,
                from_=call.caller_id,
                url=call.answer_url,
                method="POST",
                status_callback=call.status_url,
                status_callback_method="POST",
                status_callback_event=CALL_EVENTS,
                timeout=call.ring_timeout_s,
                # "Enable": decide as soon as detection can (not after a machine's greeting,
                # "DetectMessageEnd": the dialer leaves no message). Asynchronous, so the answer URL
                # runs at the answer and a person hears someone (or the information message) at
                # once (Ofcom's 2 s); the result is posted to its own URL afterwards.
                machine_detection="Enable" if detecting else values.unset,
                machine_detection_timeout=call.machine_detection_s if detecting else values.unset,
                async_amd="true" if detecting else values.unset,
                async_amd_status_callback=call.machine_result_url if detecting else values.unset,
                async_amd_status_callback_method="POST" if detecting else values.unset,
            )
        )
        return str(created.sid)

    def hang_up(self, sid: str) -> None:
        self._request(lambda: self._client.calls(sid).update(status="completed"))

    def extend(self, sid: str, time_limit_s: int) -> None:
        self._request(lambda: self._client.calls(sid).update(time_limit=time_limit_s))

    def redirect(self, sid: str, instruction: CallInstruction) -> None:
        self._request(lambda: self._client.calls(sid).update(twiml=render(instruction)))

    def hold(self, conference_sid: str, call_sid: str, *, on: bool, hold_url: str | None = None) -> None:
        self._request(
            lambda: (
                self._client.conferences(conference_sid)
                .participants(call_sid)
                .update(
                    hold=on,
                    hold_url=hold_url if on and hold_url else values.unset,
                    hold_method="POST" if on and hold_url else values.unset,
                )
            )
        )

    def fetch_call(self, sid: str) -> ProviderCall:
        call = self._request(lambda: self._client.calls(sid).fetch())
        duration = int(call.duration) if call.duration not in (None, "") else None
        return ProviderCall(
            sid=sid, status=str(call.status), answered_by=call.answered_by, duration_s=duration
        )

    def softphone_token(self, identity: str) -> str:
        """An Access Token signed with the API key (the simulator's own in simulator mode), for calls
        through the TwiML App (TWILIO_TWIML_APP_SID; in simulator mode, found or made on the way)."""
        application = self._request(
            lambda: softphone_application_sid(self._client, self._settings, self._softphone_url)
        )
        now = self._clock.now() if self._clock is not None else None
        return voice_token(self._settings, identity, application_sid=application, now=now)

    def route_incoming(self, number: str, voice_url: str) -> bool:
        owned = self._request(lambda: self._client.incoming_phone_numbers.list(phone_number=number, limit=20))
        found = next((candidate for candidate in owned if candidate.phone_number == number), None)
        if found is None:
            return False
        if found.voice_url != voice_url or found.voice_method != "POST":
            sid = str(found.sid)
            self._request(
                lambda: self._client.incoming_phone_numbers(sid).update(
                    voice_url=voice_url, voice_method="POST"
                )
            )
        return True

    def send_text(self, text: OutboundText) -> str:
        created = self._request(
            lambda: self._client.messages.create(
                to=text.to, from_=text.from_, body=text.body, status_callback=text.status_url
            )
        )
        return str(created.sid)

    def route_texts(self, number: str, sms_url: str) -> bool:
        owned = self._request(lambda: self._client.incoming_phone_numbers.list(phone_number=number, limit=20))
        found = next((candidate for candidate in owned if candidate.phone_number == number), None)
        if found is None:
            return False
        if found.sms_url != sms_url or found.sms_method != "POST":
            sid = str(found.sid)
            self._request(
                lambda: self._client.incoming_phone_numbers(sid).update(sms_url=sms_url, sms_method="POST")
            )
        return True

    def may_call_from(self, number: str) -> bool:
        owned = self._request(lambda: self._client.incoming_phone_numbers.list(phone_number=number, limit=20))
        if any(found.phone_number == number for found in owned):
            return True
        verified = self._request(lambda: self._client.outgoing_caller_ids.list(phone_number=number, limit=20))
        return any(found.phone_number == number for found in verified)

    def _request(self, send: Callable[[], T]) -> T:
        try:
            return send()
        except TwilioRestException as exc:
            retryable = exc.status == 429 or exc.status >= 500 or exc.code == TOO_MANY_REQUESTS
            raise TelephonyError(
                f"provider refused the request: HTTP {exc.status} {exc.code or ''} {exc.msg}".strip(),
                retryable=retryable,
                status=exc.status,
                code=exc.code,
            ) from None
        except TwilioException as exc:  # a list whose page could not be fetched
            raise TelephonyError(f"provider refused the request: {exc.args[0]}", retryable=True) from None
        except OSError as exc:  # connection refused, timeouts (requests' errors are OSErrors)
            raise TelephonyError(f"provider unreachable: {exc}", retryable=True) from None


def render(instruction: CallInstruction) -> str:
    """The TwiML document for a call instruction."""
    response = VoiceResponse()
    match instruction:
        case JoinSeat(conference=name, events_url=events_url, volunteer=volunteer):
            dial = Dial()
            dial.conference(
                name,
                beep=False,
                start_conference_on_enter=volunteer,
                end_conference_on_exit=False,
                wait_url="",
                status_callback=events_url,
                status_callback_event="join leave",
                status_callback_method="POST",
            )
            response.append(dial)
        case InformationMessage(text=text):
            response.say(text, **VOICE)
            response.hangup()
        case HoldMessage(text=text, again_url=again_url, pause_s=pause_s):
            response.say(text, **VOICE)
            response.pause(length=pause_s)
            response.redirect(again_url, method="POST")
        case ConfirmVolunteer(prompt=prompt, action_url=action_url, timeout_s=timeout_s):
            gather = response.gather(num_digits=1, action=action_url, method="POST", timeout=timeout_s)
            gather.say(prompt, **VOICE)
            response.say("We did not hear a 1, so we will not start your session. Goodbye.", **VOICE)
            response.hangup()
        case OptOutOffer(text=text, action_url=action_url, timeout_s=timeout_s, no_choice=no_choice):
            gather = response.gather(num_digits=1, action=action_url, method="POST", timeout=timeout_s)
            gather.say(text, **VOICE)
            response.say(no_choice, **VOICE)
            response.hangup()
        case Goodbye(text=text):
            if text:
                response.say(text, **VOICE)
            response.hangup()
    return str(response)
