"""The browser's stand-in softphone: a Socket.IO namespace (/simphone) on the simulator's server.

A page connects with an ordinary Twilio Access Token (a VoiceGrant naming the TwiML Application),
which is checked with the API key's secret as Twilio checks it. `call` with params places an
inbound call from `client:<identity>` to the Application's voice URL, with the params added to the
request as the Voice SDK adds them; the returned TwiML runs (typically joining a conference).
Events back to the page: ringing, accept, hangup (the call is over), mute, incoming (a <Dial><Client>
rings it),
error. `web/static/js/phone.js` is the client side.

Tokens expire on the simulator's clock, as the Voice SDK's Device sees them: `tokenWillExpire`
TOKEN_WARNING_S before the token's `exp`; `updateToken` {token} swaps in a fresh one (same identity);
at `exp` without one, an `error` 20104 (AccessTokenExpired), and the phone is no longer registered
(it cannot place calls or be rung) while a call in progress carries on.

A softphone's call is a call like any other: Twilio ends it at its maximum duration (four hours
from its answer unless a TimeLimit update says otherwise) and the page gets `hangup`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import jwt
from flask import request
from flask_socketio import ConnectionRefusedError as SocketRefused
from flask_socketio import Namespace, SocketIO

from dialer.simulator import program
from dialer.simulator.calls import BUSY, RINGING, CallOptions
from dialer.simulator.simulated_account import SimulatedAccount

NAMESPACE = "/simphone"
#: The Voice SDK's `tokenRefreshMs` default: tokenWillExpire comes this long before expiry.
TOKEN_WARNING_S = 10.0
#: Twilio's error for an expired Access Token.
ACCESS_TOKEN_EXPIRED = 20104


class TokenRejected(Exception):
    pass


@dataclass(frozen=True)
class VoiceIdentity:
    identity: str
    application_sid: str | None
    incoming_allowed: bool
    expires_at: float = float("inf")  # the token's `exp`, in seconds since the epoch


def verify_token(
    token: str, account_sid: str, api_keys: dict[str, str], *, now: float | None = None
) -> VoiceIdentity:
    """Check an Access Token as Twilio does: HS256 with the secret of the API key that issued it,
    unexpired at `now` (seconds since the epoch on the simulator's clock; the wall clock if None)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        secret = api_keys.get(str(claims.get("iss", "")))
        if secret is None:
            raise TokenRejected("the token was not issued by a known API key")
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"require": ["exp", "iss", "sub"], "verify_exp": now is None, "verify_nbf": now is None},
        )
    except jwt.PyJWTError as exc:
        raise TokenRejected(f"invalid access token: {exc}") from None
    if now is not None and float(claims["exp"]) <= now:
        raise TokenRejected("invalid access token: Signature has expired")
    if claims["sub"] != account_sid:
        raise TokenRejected("the token is for another account")
    grants = claims.get("grants") or {}
    voice = grants.get("voice") or {}
    identity = grants.get("identity")
    if not identity or not voice:
        raise TokenRejected("the token carries no identity or no VoiceGrant")
    outgoing = voice.get("outgoing") or {}
    incoming = voice.get("incoming") or {}
    return VoiceIdentity(
        str(identity), outgoing.get("application_sid"), bool(incoming.get("allow")), float(claims["exp"])
    )


def _session() -> str:
    """The Socket.IO session id of the page being served (Flask-SocketIO sets it on the request)."""
    return str(request.sid)  # type: ignore[attr-defined]


class SimPhones(Namespace):  # type: ignore[misc]
    """Connected softphones by Socket.IO session; also the switch's way to reach them."""

    def __init__(self, simulator: SimulatedAccount, socketio: SocketIO) -> None:
        super().__init__(NAMESPACE)
        self.simulator = simulator
        self.socketio = socketio
        self._phones: dict[str, VoiceIdentity] = {}
        self._by_identity: dict[str, str] = {}
        self._calls: dict[str, str] = {}
        self._expired: set[str] = set()
        self._token_round: dict[str, int] = {}  # moves on with each token, so old timers do nothing
        self._lock = threading.Lock()

    # --- the switch's side (Phones protocol) -----------------------------------------

    def notify(self, phone: str, event: str, data: dict[str, object]) -> None:
        if event == "hangup":
            with self._lock:
                if self._calls.get(phone) == data.get("call_sid"):
                    del self._calls[phone]
        self.socketio.emit(event, data, to=phone, namespace=NAMESPACE)

    def registered(self, identity: str) -> str | None:
        with self._lock:
            phone = self._by_identity.get(identity)
            if phone is None or not self._phones[phone].incoming_allowed or phone in self._calls:
                return None
            return phone

    # --- the page's side ---------------------------------------------------------------

    def on_connect(self, auth: dict[str, Any] | None = None) -> None:
        token = (auth or {}).get("token")
        if not isinstance(token, str):
            raise SocketRefused("an access token is required")
        try:
            identity = self._verified(token)
        except TokenRejected as exc:
            raise SocketRefused(str(exc)) from None
        self._register(_session(), identity)

    def on_updateToken(self, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """The page's fresh token (Device.updateToken): same identity, a later expiry."""
        phone, token = _session(), (data or {}).get("token")
        with self._lock:
            current = self._phones.get(phone)
        if current is None or not isinstance(token, str):
            return {"error": "not connected" if current is None else "a token is required"}
        try:
            identity = self._verified(token)
        except TokenRejected as exc:
            return {"error": str(exc)}
        if identity.identity != current.identity:
            return {"error": "the new token is for another identity"}
        self._register(phone, identity)
        return {"expires": identity.expires_at}

    def _verified(self, token: str) -> VoiceIdentity:
        sim = self.simulator
        return verify_token(token, sim.account_sid, sim.api_keys, now=sim.clock.now().timestamp())

    def _register(self, phone: str, identity: VoiceIdentity) -> None:
        """Register the phone under its token's identity, and time the token's warning and expiry."""
        with self._lock:
            self._phones[phone] = identity
            self._by_identity[identity.identity] = phone
            self._expired.discard(phone)
            token_round = self._token_round.get(phone, 0) + 1
            self._token_round[phone] = token_round
        left = identity.expires_at - self.simulator.clock.now().timestamp()
        if left == float("inf"):
            return
        scheduler = self.simulator.switch.scheduler
        scheduler.call_later(max(0.0, left - TOKEN_WARNING_S), lambda: self._warn(phone, token_round))
        scheduler.call_later(left, lambda: self._expire(phone, token_round))

    def _current(self, phone: str, token_round: int) -> bool:
        with self._lock:
            return phone in self._phones and self._token_round.get(phone) == token_round

    def _warn(self, phone: str, token_round: int) -> None:
        if self._current(phone, token_round):
            self.socketio.emit("tokenWillExpire", {}, to=phone, namespace=NAMESPACE)

    def _expire(self, phone: str, token_round: int) -> None:
        """The token ran out: unregistered (no new calls, never rung); a call in progress goes on."""
        if not self._current(phone, token_round):
            return
        with self._lock:
            identity = self._phones[phone]
            self._expired.add(phone)
            if self._by_identity.get(identity.identity) == phone:
                del self._by_identity[identity.identity]
        self.socketio.emit(
            "error",
            {"code": ACCESS_TOKEN_EXPIRED, "message": "AccessTokenExpired: the access token has expired"},
            to=phone,
            namespace=NAMESPACE,
        )

    def on_disconnect(self, *_reason: object) -> None:
        phone = _session()
        with self._lock:
            identity = self._phones.pop(phone, None)
            self._expired.discard(phone)
            self._token_round.pop(phone, None)
            if identity is not None and self._by_identity.get(identity.identity) == phone:
                del self._by_identity[identity.identity]
            call_sid = self._calls.pop(phone, None)
        if call_sid:
            self._hang_up(call_sid)

    def on_call(self, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Place the browser's call; the acknowledgement carries its CallSid (or an error)."""
        phone = _session()
        params = (data or {}).get("params") or {}
        if not isinstance(params, dict) or not all(isinstance(v, str | int | float) for v in params.values()):
            return {"error": "params must be an object of strings"}
        with self._lock:
            identity = self._phones.get(phone)
            busy = phone in self._calls
            expired = phone in self._expired
        if identity is None:
            return {"error": "not connected"}
        if expired:
            return {"error": f"the access token has expired ({ACCESS_TOKEN_EXPIRED})"}
        if busy:
            return {"error": "a call is already in progress"}
        switch = self.simulator.switch
        with switch.transaction(deferred=True):
            application = switch.records.applications.get(identity.application_sid or "")
            if application is None or not application.voice_url:
                return {"error": "the token's application does not exist or has no voice URL"}
            custom = {str(key): str(value) for key, value in params.items()}
            options = CallOptions(
                to=custom.get("To", ""),
                from_=f"client:{identity.identity}",
                url=application.voice_url,
                method=application.voice_method,
                fallback_url=application.voice_fallback_url,
                fallback_method=application.voice_fallback_method,
                application_sid=application.sid,
                status_callback=application.status_callback,
                status_callback_method=application.status_callback_method,
                custom_params=custom,
            )
            call = switch.place_inbound(options, phone=phone)
        with self._lock:
            self._calls[phone] = call.sid
        return {"call_sid": call.sid}

    def on_hangup(self, _data: object = None) -> None:
        with self._lock:
            call_sid = self._calls.get(_session())
        if call_sid:
            self._hang_up(call_sid)

    def on_mute(self, data: dict[str, Any] | None = None) -> None:
        muted = bool((data or {}).get("muted"))
        switch = self.simulator.switch
        with self._lock:
            call_sid = self._calls.get(_session())
        with switch.transaction(deferred=True):
            call = switch.records.calls.get(call_sid or "")
            if call is not None and call.live:
                call.muted = muted
                switch.log("phone-mute", call, muted=muted)
                switch.emit(call, "mute", {"muted": muted})

    def on_digits(self, data: dict[str, Any] | None = None) -> None:
        digits = str((data or {}).get("digits", ""))
        switch = self.simulator.switch
        with self._lock:
            call_sid = self._calls.get(_session())
        with switch.transaction(deferred=True):
            call = switch.records.calls.get(call_sid or "")
            if call is not None and call.live and digits:
                program.gathered(switch, call, call.epoch, digits)

    def on_accept(self, data: dict[str, Any] | None = None) -> None:
        """The page accepts a call that a <Dial><Client> is ringing it with."""
        self._answer_incoming(data, accept=True)

    def on_reject(self, data: dict[str, Any] | None = None) -> None:
        self._answer_incoming(data, accept=False)

    def _answer_incoming(self, data: dict[str, Any] | None, *, accept: bool) -> None:
        call_sid = str((data or {}).get("call_sid", ""))
        switch = self.simulator.switch
        with switch.transaction(deferred=True):
            call = switch.records.calls.get(call_sid)
            if call is None or call.phone != _session() or call.status != RINGING:
                return
            if accept:
                with self._lock:
                    self._calls[_session()] = call.sid
                switch.answer(call)
            else:
                switch.finish(call, BUSY, by="reject")

    def _hang_up(self, call_sid: str) -> None:
        switch = self.simulator.switch
        with switch.transaction(deferred=True):
            call = switch.records.calls.get(call_sid)
            if call is not None:
                switch.hangup(call, by="caller")
