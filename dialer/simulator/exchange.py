"""The exchange's plumbing: one lock over the simulated world, timers, the event log, and webhooks.

State changes happen inside `transaction()`. The webhooks a change causes are queued in an outbox
and sent after the lock is released (so the product may call the REST API back while handling
them); webhooks caused by a REST request are deferred to the clock's next tick, as Twilio sends
them asynchronously, so a product handler never receives a callback in the middle of its own REST
call. Status callbacks carry Twilio's SequenceNumber; injected webhook faults are applied here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urljoin

from dialer.clock import Clock, Scheduler
from dialer.simulator import wire
from dialer.simulator.behaviours import BehaviourBook, Mix
from dialer.simulator.calls import IN_PROGRESS, SIP_CODES, Call
from dialer.simulator.cps import CpsQueue
from dialer.simulator.events import EventLog
from dialer.simulator.faults import FaultBook
from dialer.simulator.messages import MessageBook
from dialer.simulator.records import Records
from dialer.simulator.sids import SidMaker
from dialer.simulator.webhooks import (
    DEFAULT_TIMEOUT_S,
    Dispatcher,
    Signer,
    Transport,
    WebhookFailure,
    WebhookRequest,
    WebhookResponse,
)

Outcome = WebhookResponse | WebhookFailure
OnResponse = Callable[[Outcome], None]


class Phones(Protocol):
    """Browser softphones connected to the simulator (see simphone.py)."""

    def notify(self, phone: str, event: str, data: dict[str, object]) -> None: ...

    def registered(self, identity: str) -> str | None: ...


@dataclass
class SwitchSettings:
    account_sid: str
    auth_token: str
    cps: float = 1.0
    seed: int = 0
    play_s: float = 5.0
    webhook_timeout_s: float = DEFAULT_TIMEOUT_S


#: Work queued by a transaction: (delivery lane, what to do once the lock is released).
Outbox = list[tuple[str, Callable[[], None]]]


class Exchange:
    def __init__(
        self,
        settings: SwitchSettings,
        *,
        clock: Clock,
        scheduler: Scheduler,
        transport: Transport,
        dispatcher: Dispatcher,
    ) -> None:
        self.settings = settings
        self.account_sid = settings.account_sid
        self.clock = clock
        self.scheduler = scheduler
        self.transport = transport
        self.dispatcher = dispatcher
        self.signer = Signer(settings.auth_token)
        self.phones: Phones | None = None
        self._lock = threading.RLock()
        self._depth = 0
        self._outbox: Outbox = []
        self._generation = 0
        self.sids = SidMaker(settings.seed)
        self._reset_state()

    def _reset_state(self) -> None:
        self.records = Records()
        self.behaviours = BehaviourBook(Mix(seed=self.settings.seed))
        self.faults = FaultBook(self.settings.seed)
        self.events = EventLog()
        self.cps = CpsQueue(self.settings.cps)
        self.messages = MessageBook()

    def reset(self) -> None:
        """Forget every call, conference, behaviour, fault and event (the account's numbers and
        verified caller IDs stay); pending timers become no-ops.

        Sids keep coming from the same sequence, so no CallSid is ever handed out twice.
        """
        with self.transaction():
            self._generation += 1
            numbers = list(self.records.numbers.values())
            caller_ids = list(self.records.caller_ids.values())
            self._reset_state()
            for number in numbers:
                self.records.add_number(number)
            for caller_id in caller_ids:  # the account's, like its numbers
                self.records.add_caller_id(caller_id)

    # --- transactions, timers and the outbox ----------------------------------------

    @contextmanager
    def transaction(self, *, deferred: bool = False) -> Iterator[None]:
        """Hold the state lock; send what was queued once released (on the next tick if deferred)."""
        with self._lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                items: Outbox = []
                if self._depth == 0 and self._outbox:
                    items, self._outbox = self._outbox, []
        if items:
            if deferred:
                generation = self._generation
                self.scheduler.call_later(0, lambda: self._dispatch(items, generation))
            else:
                self._dispatch(items, self._generation)

    def _dispatch(self, items: Outbox, generation: int) -> None:
        if generation != self._generation:
            return  # reset in between: nothing of the old world is delivered
        for lane, work in items:
            self.dispatcher.submit(lane, work)

    def later(self, delay: float, action: Callable[[], None], *, call: Call | None = None) -> None:
        """Run `action` in a transaction `delay` clock-seconds from now (unless reset in between).

        A timer tied to a `call` is cancelled when the call ends, so a finished shift leaves nothing
        scheduled (a simulated clock run until idle stops where the last call ended).
        """
        generation = self._generation

        def run() -> None:
            if generation == self._generation:
                with self.transaction():
                    action()

        timer = self.scheduler.call_later(delay, run)
        if call is not None:
            call.timers.append(timer)

    def send(self, lane: str, work: Callable[[], None]) -> None:
        self._outbox.append((lane, work))

    def log(self, kind: str, call: Call | None = None, **data: object) -> None:
        self.events.record(self.clock.now(), kind, call.sid if call else None, **data)

    # --- webhooks ---------------------------------------------------------------------

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
    ) -> WebhookRequest:
        request = self.signer.request(method, url, params)
        self.queue_webhook(lane, kind, request, call=call, on_response=on_response)
        return request

    def queue_webhook(
        self,
        lane: str,
        kind: str,
        request: WebhookRequest,
        *,
        call: Call | None = None,
        on_response: OnResponse | None = None,
    ) -> None:
        self.log("webhook", call, webhook=kind, method=request.method, url=request.url, params=request.params)
        self.send(lane, lambda: self._deliver(kind, request, call, on_response))

    def _deliver(
        self, kind: str, request: WebhookRequest, call: Call | None, on_response: OnResponse | None
    ) -> None:
        timeout = self.faults.fire({"webhook_timeout"}, request.url)
        duplicate = None if on_response else self.faults.fire({"duplicate_callback"}, request.url)
        outcome: Outcome
        started = time.monotonic()
        try:
            outcome = self.transport(request, self.settings.webhook_timeout_s)
        except WebhookFailure as exc:
            outcome = exc
        # Wall-clock time, whatever the simulated clock does: how long the product took to answer.
        elapsed_ms = round((time.monotonic() - started) * 1000, 2)
        if duplicate is not None:
            self.log("fault", call, fault="duplicate_callback", url=request.url)
            with suppress(WebhookFailure):
                self.transport(request, self.settings.webhook_timeout_s)
        if timeout is not None:
            outcome = WebhookFailure(f"no response within {self.settings.webhook_timeout_s:g} s (injected)")
            self.log("fault", call, fault="webhook_timeout", url=request.url)
        status = outcome.status if isinstance(outcome, WebhookResponse) else None
        detail = str(outcome) if isinstance(outcome, WebhookFailure) else None
        self.log(
            "webhook-result",
            call,
            webhook=kind,
            url=request.url,
            status=status,
            error=detail,
            elapsed_ms=elapsed_ms,
        )
        if on_response is not None:
            if timeout is not None:
                self.later(self.settings.webhook_timeout_s, lambda: on_response(outcome))
            else:
                self._run(lambda: on_response(outcome))

    def _run(self, action: Callable[[], None]) -> None:
        with self.transaction():
            action()

    def call_params(self, call: Call) -> dict[str, str]:
        """The parameters Twilio sends with every request about a call."""
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": wire.API_VERSION,
            "CallSid": call.sid,
            "CallStatus": call.status,
            "Called": call.options.to,
            "Caller": call.options.from_,
            "Direction": call.direction,
            "From": call.options.from_,
            "To": call.options.to,
        }
        if call.parent_call_sid:
            params["ParentCallSid"] = call.parent_call_sid
        if call.options.application_sid:
            params["ApplicationSid"] = call.options.application_sid
        params.update(call.options.custom_params)
        return params

    def status_callback(self, call: Call, event: str) -> None:
        """A call-progress event, sent when the call subscribed to it (with SequenceNumber)."""
        options = call.options
        if not options.status_callback or event not in options.status_callback_events:
            if event == "completed":
                self._release_held(call)
            return
        params = self.call_params(call)
        params.update(
            CallStatus={"initiated": "initiated", "ringing": "ringing", "answered": IN_PROGRESS}.get(
                event, call.status
            ),
            CallbackSource="call-progress-events",
            SequenceNumber=str(call.callbacks_sent),
            Timestamp=wire.rfc2822(self.clock.now()) or "",
        )
        if event == "completed":
            duration = call.duration_s(self.clock.now())
            params.update(
                CallDuration=str(duration),
                Duration=str(-(-duration // 60)),
                SipResponseCode=str(call.sip_response_code or SIP_CODES[call.status]),
            )
        if call.answered_by:
            params["AnsweredBy"] = call.answered_by
        call.callbacks_sent += 1
        request = self.signer.request(options.status_callback_method, options.status_callback, params)
        if (
            event != "completed"
            and call.held_callback is None
            and self.faults.fire({"out_of_order"}, request.url)
        ):
            call.held_callback = request
            self.log("fault", call, fault="out_of_order", held=params["CallStatus"])
            return
        self.queue_webhook(call.sid, f"status:{params['CallStatus']}", request, call=call)
        self._release_held(call)

    def _release_held(self, call: Call) -> None:
        held, call.held_callback = call.held_callback, None
        if held is not None:
            self.queue_webhook(call.sid, f"status:{held.params['CallStatus']}", held, call=call)

    # --- small helpers ------------------------------------------------------------------

    def set_status(self, call: Call, status: str) -> None:
        self.records.set_status(call, status)
        self.touch(call)

    def touch(self, call: Call) -> None:
        call.updated = self.clock.now()

    def emit(self, call: Call, event: str, data: dict[str, object] | None = None) -> None:
        phones, phone = self.phones, call.phone
        if phones is None or phone is None:
            return
        payload: dict[str, object] = {"call_sid": call.sid, **(data or {})}
        self.send(call.sid, lambda: phones.notify(phone, event, payload))

    def absolute(self, base: str | None, url: str) -> str:
        return urljoin(base, url) if base else url
