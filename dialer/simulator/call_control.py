"""What playing TwiML (program.py) and running conference rooms (conferencing.py) ask of the switch.

The switch drives both and both drive calls back through it; typed against this Protocol rather
than the Switch, neither imports the module that imports them. switch.Switch is the one
implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from dialer.clock import Clock
from dialer.simulator.calls import Call, CallOptions
from dialer.simulator.exchange import OnResponse, SwitchSettings
from dialer.simulator.records import Records
from dialer.simulator.sids import SidMaker
from dialer.simulator.twiml import Dial
from dialer.simulator.webhooks import WebhookRequest


class CallControl(Protocol):
    account_sid: str
    clock: Clock
    records: Records
    settings: SwitchSettings
    sids: SidMaker

    # --- the exchange's plumbing ------------------------------------------------------

    def log(self, kind: str, call: Call | None = None, **data: object) -> None: ...

    def later(self, delay: float, action: Callable[[], None], *, call: Call | None = None) -> None: ...

    def webhook(
        self,
        lane: str,
        kind: str,
        method: str,
        url: str,
        params: dict[str, str],
        *,
        call: Call | None = None,
        on_response: OnResponse | None = None,
    ) -> WebhookRequest: ...

    def absolute(self, base: str | None, url: str) -> str: ...

    # --- a call's life ------------------------------------------------------------------

    def place_call(
        self, options: CallOptions, *, direction: str = ..., parent: Call | None = None
    ) -> Call: ...

    def answer(self, call: Call) -> None: ...

    def fetch_twiml(
        self,
        call: Call,
        url: str,
        method: str,
        extra: dict[str, str] | None = None,
        *,
        fallback: str | None = None,
    ) -> None: ...

    def start_talking(self, call: Call) -> None: ...

    def after_dial(self, call: Call, dial: Dial, extra: dict[str, str]) -> None: ...

    def hangup(self, call: Call, *, by: str) -> None: ...

    def reject(self, call: Call, reason: str) -> None: ...
