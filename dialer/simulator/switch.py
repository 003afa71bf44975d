"""The switch: every call's life from the CPS queue to its last callback, on the injected clock.

API calls wait for a CPS slot, then dial; the callee's behaviour decides whether the call fails,
is busy, rings out or is answered; answering runs answering-machine detection (synchronous or
asynchronous) and the call's TwiML; the call ends when someone hangs up, its TwiML runs out or
its time limit (Twilio's maximum call duration, four hours unless told otherwise) is reached.
"""

from __future__ import annotations

from dialer.simulator import conferencing, program, twiml
from dialer.simulator.behaviours import Behaviour
from dialer.simulator.calls import (
    BUSY,
    CANCELED,
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    NO_ANSWER,
    QUEUED,
    RINGING,
    SIP_CODES,
    Call,
    CallOptions,
)
from dialer.simulator.detection import detect
from dialer.simulator.exchange import Exchange, Outcome, Phones, SwitchSettings
from dialer.simulator.sids import CALL
from dialer.simulator.webhooks import WebhookFailure

__all__ = ["Phones", "Switch", "SwitchSettings"]

#: Between dialling and the far end ringing.
POST_DIAL_DELAY_S = 1.0
#: "We are sorry, an application error has occurred. Goodbye."
APPLICATION_ERROR_S = 4.0
HTTP_RETRIEVAL_FAILURE = 11200
HTTP_CONNECTION_FAILURE = 11205


class Switch(Exchange):
    """Every call's life: CPS queue, dialling, ringing, answer, detection, TwiML, hang-up."""

    # --- placing calls ----------------------------------------------------------------

    def place_call(
        self, options: CallOptions, *, direction: str = "outbound-api", parent: Call | None = None
    ) -> Call:
        """A new outbound call: API calls wait for a CPS slot, <Dial> legs start at once."""
        now = self.clock.now()
        address = options.to
        if address.startswith("client:"):
            behaviour = self.behaviours.explicit(address)
        else:
            behaviour = self.behaviours.for_dial(address)
        call = Call(
            sid=self.sids.new(CALL),
            account_sid=self.account_sid,
            options=options,
            direction=direction,
            created=now,
            seq=len(self.records.call_order),
            behaviour=behaviour,
            parent_call_sid=parent.sid if parent else None,
        )
        self.records.add_call(call)
        self.log(
            "call-created", call, to=options.to, direction=direction, behaviour=behaviour and behaviour.kind
        )
        if parent is None:
            mono = self.clock.monotonic()
            delay = self.cps.reserve(mono) - mono
            call.queue_time_ms = round(delay * 1000)
            self.later(delay, lambda: self._dial(call))
        else:
            self._dial(call)
        return call

    def place_inbound(
        self, options: CallOptions, *, phone: str | None = None, behaviour: Behaviour | None = None
    ) -> Call:
        """A call into the account, from a browser softphone (its Application's voice URL answers) or
        from a caller on the phone network who behaves as `behaviour` (the number's Voice URL answers)."""
        now = self.clock.now()
        call = Call(
            sid=self.sids.new(CALL),
            account_sid=self.account_sid,
            options=options,
            direction="inbound",
            created=now,
            seq=len(self.records.call_order),
            behaviour=behaviour,
            status=RINGING,
            start_time=now,
            phone=phone,
        )
        self.records.add_call(call)
        self.log("call-created", call, to=options.to, direction="inbound", behaviour=None)
        self.emit(call, "ringing")
        self.fetch_voice(call)
        return call

    def _dial(self, call: Call) -> None:
        if call.status != QUEUED:
            return
        call.start_time = self.clock.now()
        self.touch(call)
        conferencing.on_progress(self, call, "connecting")
        self.status_callback(call, "initiated")
        behaviour = call.behaviour
        if behaviour is None:
            self.later(POST_DIAL_DELAY_S, lambda: self._ring(call))
        elif behaviour.kind == "invalid":
            self.later(behaviour.after_s, lambda: self._unanswered(call, FAILED))
        elif behaviour.kind == "busy":
            self.later(behaviour.after_s, lambda: self._unanswered(call, BUSY))
        else:
            self.later(POST_DIAL_DELAY_S, lambda: self._ring(call))

    def _ring(self, call: Call) -> None:
        if call.status != QUEUED:
            return
        self.set_status(call, RINGING)
        conferencing.on_progress(self, call, "ringing")
        self.status_callback(call, "ringing")
        behaviour, timeout = call.behaviour, call.options.timeout
        if behaviour is None:
            phone = self.phones.registered(call.options.to.removeprefix("client:")) if self.phones else None
            if phone is not None:
                call.phone = phone
                self.emit(call, "incoming", {"from": call.options.from_})
        if behaviour is None or behaviour.kind == "no-answer" or behaviour.ring_s >= timeout:
            self.later(timeout, lambda: self._unanswered(call, NO_ANSWER), call=call)
        else:
            self.later(behaviour.ring_s, lambda: self.answer(call))

    def _unanswered(self, call: Call, status: str) -> None:
        if call.status in (QUEUED, RINGING):
            self.finish(call, status)

    # --- answering ---------------------------------------------------------------------

    def answer(self, call: Call) -> None:
        """The far end picks up (or an inbound call's TwiML starts): the call is in progress."""
        if call.status != RINGING:
            return
        call.answered_at = self.clock.now()
        self.set_status(call, IN_PROGRESS)
        self.status_callback(call, "answered")
        self.emit(call, "accept")
        self.log("answered", call)
        # Twilio's maximum call duration holds for every call, a softphone's inbound one too.
        self.set_time_limit(call, call.options.time_limit)
        if call.direction == "inbound":
            return
        self._schedule_callee(call)
        if call.parent_call_sid:
            program.child_answered(self, call)
            return
        mode = call.options.machine_detection
        result = detect(call.behaviour, mode, call.options.machine_detection_timeout) if mode else None
        if result is not None and not call.options.async_amd:
            self.later(result.seconds, lambda: self._detected(call, result.answered_by, result.milliseconds))
            return
        if not conferencing.on_answer(self, call):
            self.fetch_voice(call)
        if result is not None:
            self.later(
                result.seconds, lambda: self._async_detected(call, result.answered_by, result.milliseconds)
            )

    def set_time_limit(self, call: Call, seconds: float) -> None:
        """The call may last `seconds` from its answer (Twilio's TimeLimit, at creation or on an
        update of a live call); past it Twilio hangs up (its error 32015)."""
        call.options.time_limit = seconds
        call.limit_round += 1
        if call.answered_at is None:
            return  # counted from the answer (`answer` sets it then)
        limit_round = call.limit_round
        left = seconds - (self.clock.now() - call.answered_at).total_seconds()

        def reached() -> None:
            if call.limit_round == limit_round:
                self.hangup(call, by="time-limit")

        self.later(max(0.0, left), reached, call=call)

    def _schedule_callee(self, call: Call) -> None:
        behaviour = call.behaviour
        if behaviour is None:
            return
        if behaviour.hangup_after_s is not None:
            self.later(behaviour.hangup_after_s, lambda: self.hangup(call, by="callee"), call=call)
        elif behaviour.kind == "answer":
            self.later(
                behaviour.patience_s,
                lambda: None if call.talking else self.hangup(call, by="callee"),
                call=call,
            )
        elif behaviour.kind == "machine":
            self.later(
                behaviour.greeting_s + behaviour.record_s, lambda: self.hangup(call, by="callee"), call=call
            )
        elif behaviour.kind == "fax":
            self.later(behaviour.record_s, lambda: self.hangup(call, by="callee"), call=call)

    def start_talking(self, call: Call) -> None:
        """The callee is through to someone: a person talks `talk_s`, then hangs up."""
        behaviour = call.behaviour
        if call.talking or behaviour is None or not call.live:
            return
        call.talking = True
        if behaviour.kind == "answer" and behaviour.hangup_after_s is None:
            self.later(behaviour.talk_s, lambda: self.hangup(call, by="callee"), call=call)

    def _detected(self, call: Call, answered_by: str, milliseconds: int) -> None:
        if call.status != IN_PROGRESS:
            return
        call.answered_by, call.amd_duration_ms = answered_by, milliseconds
        self.log("amd", call, answered_by=answered_by, milliseconds=milliseconds)
        self.fetch_voice(call, {"AnsweredBy": answered_by, "MachineDetectionDuration": str(milliseconds)})

    def _async_detected(self, call: Call, answered_by: str, milliseconds: int) -> None:
        if call.status != IN_PROGRESS:
            return
        call.answered_by, call.amd_duration_ms = answered_by, milliseconds
        self.log("amd", call, answered_by=answered_by, milliseconds=milliseconds)
        url = call.options.async_amd_status_callback
        if url:
            params = {
                "AccountSid": self.account_sid,
                "CallSid": call.sid,
                "AnsweredBy": answered_by,
                "MachineDetectionDuration": str(milliseconds),
            }
            self.webhook(
                call.sid, "amd", call.options.async_amd_status_callback_method, url, params, call=call
            )

    # --- TwiML ------------------------------------------------------------------------

    def fetch_voice(self, call: Call, extra: dict[str, str] | None = None) -> None:
        options = call.options
        if options.twiml is not None:
            self.run_document(call, options.twiml, None)
        elif options.url:
            self.fetch_twiml(call, options.url, options.method, extra, fallback=options.fallback_url)
        else:
            self.application_error(call, HTTP_RETRIEVAL_FAILURE, "the call has no voice URL")

    def fetch_twiml(
        self,
        call: Call,
        url: str,
        method: str,
        extra: dict[str, str] | None = None,
        *,
        fallback: str | None = None,
    ) -> None:
        """Request TwiML for the call and play it (or the fallback URL, or an application error)."""
        epoch = call.epoch
        params = self.call_params(call) | (extra or {})

        def on_response(outcome: Outcome) -> None:
            if call.epoch != epoch or not call.live:
                return
            if isinstance(outcome, WebhookFailure) or not outcome.ok:
                code = (
                    HTTP_CONNECTION_FAILURE if isinstance(outcome, WebhookFailure) else HTTP_RETRIEVAL_FAILURE
                )
                reason = str(outcome) if isinstance(outcome, WebhookFailure) else f"HTTP {outcome.status}"
                if fallback:
                    extra_params = (extra or {}) | {"ErrorCode": str(code), "ErrorUrl": url}
                    self.fetch_twiml(call, fallback, call.options.fallback_method, extra_params)
                else:
                    self.application_error(call, code, f"{url}: {reason}")
                return
            self.run_document(call, outcome.body, url, fallback=fallback)

        self.webhook(call.sid, "twiml", method, url, params, call=call, on_response=on_response)

    def run_document(
        self, call: Call, document: str, url: str | None, *, fallback: str | None = None
    ) -> None:
        try:
            verbs = twiml.parse(document)
        except twiml.TwimlError as exc:
            if fallback and url:
                extra = {"ErrorCode": str(exc.code), "ErrorUrl": url}
                self.fetch_twiml(call, fallback, call.options.fallback_method, extra)
            else:
                self.application_error(call, exc.code, exc.message)
            return
        program.run(self, call, verbs, url)

    def application_error(self, call: Call, code: int, message: str) -> None:
        """Twilio apologises ("an application error has occurred") and hangs up."""
        self.log("error", call, code=code, message=message)
        call.epoch += 1
        epoch = call.epoch
        if call.status == RINGING and call.direction == "inbound":
            self.answer(call)
        self.later(
            APPLICATION_ERROR_S,
            lambda: self.hangup(call, by="application-error") if call.epoch == epoch else None,
        )

    def after_dial(self, call: Call, dial: twiml.Dial, extra: dict[str, str]) -> None:
        program.dial_done(self, call, dial, extra)

    def redirect(self, call: Call, *, url: str | None, method: str, document: str | None) -> None:
        """REST update with Url or Twiml: abandon what the call is doing and play the new TwiML."""
        if call.status in (QUEUED, RINGING) and call.direction != "inbound":
            call.options.url, call.options.method, call.options.twiml = url, method, document
            return
        self.leave_current(call, reason="participant_updated_via_api")
        call.epoch += 1
        if document is not None:
            self.run_document(call, document, None)
        elif url:
            self.fetch_twiml(call, url, method)

    def leave_current(self, call: Call, *, reason: str) -> None:
        if call.conference_sid:
            conferencing.leave(self, call, reason=reason, resume=False)
        if call.bridged_to and not call.parent_call_sid:
            child = self.records.calls[call.bridged_to]
            call.bridged_to = None
            self.hangup(child, by="parent")

    # --- ending -----------------------------------------------------------------------

    def hangup(self, call: Call, *, by: str) -> None:
        """Someone hangs up: an answered call completes, an unanswered one is canceled."""
        if not call.live:
            return
        if call.status in (QUEUED, RINGING) and call.direction != "inbound":
            self.finish(call, CANCELED, by=by)
            return
        current = call.program.current if call.program else None
        if current is not None:
            self.log("interrupted", call, verb=type(current).__name__, by=by)
        self.finish(call, COMPLETED, by=by)

    def reject(self, call: Call, reason: str) -> None:
        if call.direction == "inbound" and call.status == RINGING:
            self.finish(call, BUSY if reason == "busy" else NO_ANSWER, by="reject")
        else:
            self.hangup(call, by="reject")

    def finish(self, call: Call, status: str, *, by: str = "") -> None:
        if not call.live:
            return
        call.end_time = self.clock.now()
        call.epoch += 1
        for timer in call.timers:
            timer.cancel()
        call.timers.clear()
        self.set_status(call, status)
        behaviour = call.behaviour
        failed_as = (
            behaviour.sip_code if behaviour and behaviour.kind == "invalid" and status == FAILED else None
        )
        call.sip_response_code = failed_as or SIP_CODES[status]
        self.log("ended", call, status=status, by=by, duration=call.duration_s(call.end_time))
        if call.conference_sid:
            conferencing.leave(self, call, reason="participant_hung_up", resume=False)
        if call.parent_call_sid:
            program.child_ended(self, call)
        elif call.bridged_to:
            child = self.records.calls[call.bridged_to]
            call.bridged_to = None
            self.hangup(child, by="parent")
        self.status_callback(call, "completed")
        self.emit(call, "hangup", {"status": status})
