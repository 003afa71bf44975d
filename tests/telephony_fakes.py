"""A telephony provider that records what the dialer asks of it (fast tests need no simulator)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from dialer.domain.call_control import CallInstruction
from dialer.errors import TelephonyError
from dialer.ports import OutboundCall, OutboundText, ProviderCall


@dataclass
class FakeTelephony:
    placed: list[tuple[str, OutboundCall]] = field(default_factory=list)
    hung_up: list[str] = field(default_factory=list)
    redirected: list[tuple[str, CallInstruction]] = field(default_factory=list)
    extended: list[tuple[str, int]] = field(default_factory=list)
    holds: list[tuple[str, str, bool, str | None]] = field(default_factory=list)
    statuses: dict[str, ProviderCall] = field(default_factory=dict)
    failures: list[TelephonyError] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    #: The account's numbers and verified caller IDs (020 7946 0000-0002, as the simulator's).
    caller_ids: set[str] = field(default_factory=lambda: {"+442079460000", "+442079460001", "+442079460002"})
    #: Where calls to each of the account's numbers go (their Voice URLs).
    routes: dict[str, str] = field(default_factory=dict)
    #: Texts sent (with their MessageSids) and where texts to each of the account's numbers go.
    texts: list[tuple[str, OutboundText]] = field(default_factory=list)
    text_routes: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def place_call(self, call: OutboundCall) -> str:
        if self.failures:
            raise self.failures.pop(0)
        sid = f"CA{next(self._ids):032x}"
        self.placed.append((sid, call))
        return sid

    def hang_up(self, sid: str) -> None:
        self.hung_up.append(sid)

    def extend(self, sid: str, time_limit_s: int) -> None:
        self.extended.append((sid, time_limit_s))

    def redirect(self, sid: str, instruction: CallInstruction) -> None:
        self.redirected.append((sid, instruction))

    def hold(self, conference_sid: str, call_sid: str, *, on: bool, hold_url: str | None = None) -> None:
        self.holds.append((conference_sid, call_sid, on, hold_url))

    def fetch_call(self, sid: str) -> ProviderCall:
        self.fetched.append(sid)
        return self.statuses.get(sid, ProviderCall(sid, "ringing"))

    def softphone_token(self, identity: str) -> str:
        return f"token-for-{identity}"

    def may_call_from(self, number: str) -> bool:
        return number in self.caller_ids

    def route_incoming(self, number: str, voice_url: str) -> bool:
        if number not in self.caller_ids:
            return False
        self.routes[number] = voice_url
        return True

    def send_text(self, text: OutboundText) -> str:
        if self.failures:
            raise self.failures.pop(0)
        sid = f"SM{next(self._ids):032x}"
        self.texts.append((sid, text))
        return sid

    def route_texts(self, number: str, sms_url: str) -> bool:
        if number not in self.caller_ids:
            return False
        self.text_routes[number] = sms_url
        return True

    def sid_to(self, phone: str) -> str:
        """The sid of the latest call placed to `phone`."""
        return next(sid for sid, call in reversed(self.placed) if call.to == phone)
