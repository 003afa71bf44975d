"""The simulated account as the simulator's Flask app sees it: what the REST API, the /_sim/ control
plane and the SimPhone namespace ask of the Simulator that serves them.

The Simulator builds that app; typed against this Protocol, the app's modules do not import the
module that imports them. simulator.Simulator is the one implementation.
"""

from __future__ import annotations

from typing import Any, Protocol

from dialer.clock import Clock
from dialer.simulator.accounts import OutgoingCallerId, PhoneNumber
from dialer.simulator.behaviours import Behaviour, Mix
from dialer.simulator.events import Event
from dialer.simulator.faults import Fault
from dialer.simulator.switch import Switch


class SimulatedAccount(Protocol):
    account_sid: str
    api_keys: dict[str, str]
    #: Basic-auth passwords by username: the account's auth token and each API key's secret.
    credentials: dict[str, str]
    clock: Clock
    switch: Switch

    # --- staging a scenario ---------------------------------------------------------------

    def set_behaviour(self, number: str, behaviour: Behaviour) -> None: ...

    def forget_behaviour(self, number: str) -> None: ...

    def set_mix(self, mix: Mix) -> None: ...

    def behaviours(self) -> dict[str, Any]: ...

    def set_cps(self, calls_per_second: float) -> None: ...

    def add_number(self, phone_number: str) -> PhoneNumber: ...

    def verify_caller_id(self, phone_number: str) -> OutgoingCallerId: ...

    def owned_caller_ids(self) -> frozenset[str]: ...

    def ring(self, number: str, *, from_: str, behaviour: Behaviour | None = None) -> str: ...

    def text(self, number: str, *, from_: str, body: str) -> str: ...

    def inject(self, fault: Fault) -> Fault: ...

    def faults(self) -> list[Fault]: ...

    def remove_fault(self, fault_id: int) -> bool: ...

    def clear_faults(self) -> None: ...

    def advance(self, seconds: float) -> int: ...

    def reset(self) -> None: ...

    # --- reading it back ------------------------------------------------------------------

    def events(
        self, *, since: int = ..., kind: str | None = None, call_sid: str | None = None, limit: int = ...
    ) -> list[Event]: ...

    def clock_state(self) -> dict[str, Any]: ...

    def summary(self) -> dict[str, Any]: ...
