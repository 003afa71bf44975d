"""A simulated Twilio account: the switch, its REST app and its controls, in one object.

In-process (tests): give it a SimClock (the default); webhooks go through `transport` (e.g.
`WsgiTransport(product_app)`), and `rest_client()` is a real `twilio.rest.Client` that reaches the
app without sockets. As a process (`dialer simulator`): a real or sped-up clock with a background
scheduler, webhooks over HTTP from delivery lanes, served by server.py.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from twilio.rest import Client

from dialer.clock import Clock, RealTimeScheduler, Scheduler, SimClock
from dialer.simulator import messaging
from dialer.simulator.accounts import OutgoingCallerId, PhoneNumber
from dialer.simulator.app import create_app
from dialer.simulator.behaviours import Behaviour, Mix
from dialer.simulator.calls import CallOptions
from dialer.simulator.events import Event
from dialer.simulator.faults import Fault
from dialer.simulator.inprocess import WsgiHttpClient
from dialer.simulator.sids import PHONE_NUMBER
from dialer.simulator.simphone import SimPhones
from dialer.simulator.switch import Switch, SwitchSettings
from dialer.simulator.webhooks import (
    DEFAULT_TIMEOUT_S,
    Dispatcher,
    HttpTransport,
    InlineDispatcher,
    LaneDispatcher,
    Transport,
)

#: Caller IDs the account owns from the start: Ofcom's drama range for London (020 7946 0xxx).
DEFAULT_NUMBERS = ("+442079460000", "+442079460001", "+442079460002")
#: The host the in-process client uses; nothing resolves it, requests never leave the process.
IN_PROCESS_BASE_URL = "http://twilio-simulator.invalid"


class Simulator:
    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        api_keys: dict[str, str] | None = None,
        clock: Clock | None = None,
        scheduler: Scheduler | None = None,
        transport: Transport | None = None,
        dispatcher: Dispatcher | None = None,
        cps: float = 1.0,
        seed: int = 0,
        numbers: tuple[str, ...] = DEFAULT_NUMBERS,
        play_s: float = 5.0,
        webhook_timeout_s: float = DEFAULT_TIMEOUT_S,
        cors_origins: list[str] | str = "*",
    ) -> None:
        clock = clock or SimClock()
        if scheduler is None:
            if not isinstance(clock, SimClock):
                raise ValueError("a real clock needs a scheduler (dialer.clock.RealTimeScheduler)")
            scheduler = clock
        self.clock = clock
        self.account_sid = account_sid
        self.api_keys = dict(api_keys or {})
        self.credentials = {account_sid: auth_token, **self.api_keys}
        settings = SwitchSettings(
            account_sid=account_sid,
            auth_token=auth_token,
            cps=cps,
            seed=seed,
            play_s=play_s,
            webhook_timeout_s=webhook_timeout_s,
        )
        self.switch = Switch(
            settings,
            clock=clock,
            scheduler=scheduler,
            transport=transport or HttpTransport(),
            dispatcher=dispatcher
            or (InlineDispatcher() if isinstance(scheduler, SimClock) else LaneDispatcher()),
        )
        for number in numbers:
            self.add_number(number)
        self.app: Flask
        self.socketio: SocketIO
        self.phones: SimPhones
        self.app, self.socketio, self.phones = create_app(self, cors_origins=cors_origins)
        self.switch.phones = self.phones

    # --- in-process use -------------------------------------------------------------------

    def rest_client(self, *, username: str | None = None, password: str | None = None) -> Client:
        """twilio-python's own Client, reaching this simulator's app in-process (no sockets)."""
        client = Client(
            username or self.account_sid,
            password or self.credentials[self.account_sid],
            account_sid=self.account_sid,
            http_client=WsgiHttpClient(self.app),
            environment={},
        )
        client.api.base_url = IN_PROCESS_BASE_URL
        return client

    @property
    def transport(self) -> Transport:
        return self.switch.transport

    @transport.setter
    def transport(self, transport: Transport) -> None:
        self.switch.transport = transport

    def advance(self, seconds: float) -> int:
        """Move a simulated clock on, running everything that falls due (and its webhooks)."""
        if not isinstance(self.clock, SimClock):
            raise ValueError("only a simulated clock can be advanced")
        return self.clock.advance(seconds)

    def run_until_idle(self, limit: float = 86_400.0) -> int:
        if not isinstance(self.clock, SimClock):
            raise ValueError("only a simulated clock can be advanced")
        return self.clock.run_until_idle(limit)

    # --- staging scenarios (also served under /_sim/) --------------------------------------

    def set_behaviour(self, number: str, behaviour: Behaviour) -> None:
        with self.switch.transaction():
            self.switch.behaviours.set(number, behaviour)

    def forget_behaviour(self, number: str) -> None:
        with self.switch.transaction():
            self.switch.behaviours.forget(number)

    def set_mix(self, mix: Mix) -> None:
        with self.switch.transaction():
            self.switch.behaviours.mix = mix

    def behaviours(self) -> dict[str, Any]:
        with self.switch.transaction():
            return self.switch.behaviours.as_json()

    def set_cps(self, calls_per_second: float) -> None:
        with self.switch.transaction():
            self.switch.cps.set_rate(calls_per_second)
            self.switch.settings.cps = calls_per_second

    def add_number(self, phone_number: str) -> PhoneNumber:
        switch = self.switch
        with switch.transaction():
            existing = switch.records.numbers_by_e164.get(phone_number)
            if existing is not None:
                return existing
            number = PhoneNumber(
                switch.sids.new(PHONE_NUMBER), self.account_sid, phone_number, self.clock.now()
            )
            switch.records.add_number(number)
            return number

    def ring(self, number: str, *, from_: str, behaviour: Behaviour | None = None) -> str:
        """Someone on the phone network (behaving as `behaviour`: e.g. keying digits into a <Gather>)
        rings one of the account's numbers; Twilio asks the number's Voice URL what to do. Returns
        the CallSid. A number the account does not own, or one without a Voice URL, is refused."""
        switch = self.switch
        with switch.transaction():
            owned = switch.records.numbers_by_e164.get(number)
            if owned is None:
                raise ValueError(f"{number} is not one of the account's numbers")
            if not owned.voice_url:
                raise ValueError(f"{number} has no Voice URL: nothing would answer it")
            options = CallOptions(to=number, from_=from_, url=owned.voice_url, method=owned.voice_method)
            return switch.place_inbound(options, behaviour=behaviour or Behaviour.answer()).sid

    def text(self, number: str, *, from_: str, body: str) -> str:
        """A phone texts `body` to one of the account's numbers (STOP and the other opt-out words
        take effect at once, as Twilio's opt-out handling does); the number's SMS URL is told.
        Returns the MessageSid. A number the account does not own is refused."""
        switch = self.switch
        with switch.transaction():
            owned = switch.records.numbers_by_e164.get(number)
            if owned is None:
                raise ValueError(f"{number} is not one of the account's numbers")
            message = messaging.receive(switch, number, from_, body, owned.sms_url, owned.sms_method)
            return message.sid

    def verify_caller_id(self, phone_number: str) -> OutgoingCallerId:
        """The account holder verifies a number they own elsewhere (on Twilio, by answering a call
        and keying a code): it becomes an outgoing caller ID."""
        switch = self.switch
        with switch.transaction():
            existing = switch.records.caller_ids_by_e164.get(phone_number)
            if existing is not None:
                return existing
            caller_id = OutgoingCallerId(
                switch.sids.new(PHONE_NUMBER), self.account_sid, phone_number, self.clock.now()
            )
            switch.records.add_caller_id(caller_id)
            return caller_id

    def owned_caller_ids(self) -> frozenset[str]:
        """The numbers a call may come from: the account's own and its verified caller IDs."""
        records = self.switch.records
        return frozenset(records.numbers_by_e164) | frozenset(records.caller_ids_by_e164)

    def inject(self, fault: Fault) -> Fault:
        added = self.switch.faults.add(fault)
        with self.switch.transaction():
            self.switch.log("fault-injected", None, fault=fault.to_json())
        return added

    def faults(self) -> list[Fault]:
        return self.switch.faults.active()

    def remove_fault(self, fault_id: int) -> bool:
        return self.switch.faults.remove(fault_id)

    def clear_faults(self) -> None:
        self.switch.faults.clear()

    def events(
        self, *, since: int = 0, kind: str | None = None, call_sid: str | None = None, limit: int = 1_000_000
    ) -> list[Event]:
        return self.switch.events.since(since, kind=kind, call_sid=call_sid, limit=limit)

    def webhooks(self, call_sid: str | None = None) -> list[dict[str, Any]]:
        """The webhooks sent so far (oldest first), each with its url, method and params."""
        return [event.data for event in self.events(kind="webhook", call_sid=call_sid)]

    def reset(self) -> None:
        self.switch.reset()

    def clock_state(self) -> dict[str, Any]:
        return {
            "now": self.clock.now().isoformat(),
            "monotonic": self.clock.monotonic(),
            "simulated": isinstance(self.clock, SimClock),
        }

    def summary(self) -> dict[str, Any]:
        with self.switch.transaction():
            return {
                "account_sid": self.account_sid,
                "cps": self.switch.settings.cps,
                "calls": self.switch.records.count_by_status(),
                "clock": self.clock_state(),
            }

    def close(self) -> None:
        self.switch.dispatcher.close()
        if isinstance(self.switch.scheduler, RealTimeScheduler):
            self.switch.scheduler.stop()
