"""One shift, event by event: volunteers, a voter list, the callees' behaviour mix, and one strategy.

Every volunteer logs in at the start and stays to the end. Each second, and whenever a seat or a
line frees (as the product paces on those events), the strategy is asked how many voters to dial
(within the calls-per-second budget). A dialled call rings, then is busy, fails,
rings out at the ring timeout, or is answered. An answer takes a ready seat at once or hears the
information message (an abandoned call when a person answered) and its number is blocked for 72
hours. With answering-machine detection on (asynchronous, as the product asks Twilio for it) the
verdict comes seconds later (the simulator's timings) and, as the product decides
(`detection_policy.machine_verdict_hangs_up`), hangs up only a call nobody is talking to; a call
so ended after it was put through is counted as cut off. A conversation is followed by wrap-up; a
machine put through costs the volunteer its greeting.
Numbers come back for another try after the product's retry spacing, up to `max_attempts`.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dialer.domain.detection_policy import MACHINE_DETECTION_S, machine_verdict_hangs_up
from dialer.domain.dispositions import ABANDON_BLOCK, DEFAULT_RULES, Disposition
from dialer.simulator.behaviours import Behaviour, Mix
from dialer.simulator.detection import detect
from harness.shift_simulation.strategies import Floor, Strategy

SHIFT_START = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
ABANDON_BLOCK_S = ABANDON_BLOCK.total_seconds()


@dataclass(frozen=True)
class ShiftPlan:
    volunteers: int = 20
    hours: float = 3.0
    list_size: int = 20000
    seed: int = 0
    mix: Mix = field(default_factory=Mix)
    ring_timeout_s: float = 25.0
    calls_per_second: float = 1.0
    detection: bool = False  # answering-machine detection (Twilio's "Enable" mode, asynchronous)
    wrap_s: tuple[float, float] = (5.0, 30.0)
    #: How long after the answer the information message starts (the answer webhook's round trip).
    answer_latency_s: float = 0.3
    max_attempts: int = 3
    #: Multiplies the product's retry spacing (tests shrink it to see retries within a short shift).
    retry_scale: float = 1.0


@dataclass
class CallRecord:
    number: str
    attempt: int
    dialled_s: float
    kind: str  # the truth: answer, machine, busy, no-answer, invalid, fax
    answered_s: float | None = None
    put_through_s: float | None = None
    seat: int | None = None
    abandoned: bool = False  # a person answered and nobody was free
    info_message_s: float | None = None
    turned_away: bool = False  # detection's machine verdict hung up on it before any seat
    cut_off: bool = False  # detection's machine verdict hung up on it after it was put through


@dataclass
class ShiftResult:
    plan: ShiftPlan
    strategy: str
    calls: list[CallRecord]
    talk_s: float  # volunteers' time with a person on the line
    conversations: int
    waits_s: list[float]  # per conversation: the volunteer's wait since they were last free
    pacer_state: str = ""

    @property
    def logged_in_s(self) -> float:
        return self.plan.volunteers * self.plan.hours * 3600


@dataclass
class _Seat:
    index: int
    state: str = "ready"  # ready, reserved, talk, wrap, machine
    since_s: float = 0.0  # when a voter reached it (talk, wrap, machine)
    free_since_s: float = 0.0
    wrap_since_s: float = 0.0


class _Shift:
    def __init__(self, plan: ShiftPlan, strategy: Strategy) -> None:
        self.plan = plan
        self.strategy = strategy
        self.rng = random.Random(f"shift:{plan.seed}")
        self.end_s = plan.hours * 3600
        self.seats = [_Seat(i) for i in range(plan.volunteers)]
        self.events: list[tuple[float, int, str, int]] = []
        self._seq = 0
        self.calls: list[CallRecord] = []
        self.ringing: set[int] = set()
        self.fresh: deque[str] = deque(f"+4477009{index:05d}" for index in range(plan.list_size))
        self.retries: list[tuple[float, str]] = []
        self.attempts: dict[str, int] = {}
        self.tokens = max(1.0, plan.calls_per_second)
        self._refilled_s = 0.0
        self.talk_s = 0.0
        self.conversations = 0
        self.waits: list[float] = []
        self._answered_by: dict[int, str] = {}  # what detection will report, per call
        self._behaviours: dict[int, Behaviour] = {}
        self._blocked_until: dict[str, float] = {}

    # --- the event loop -----------------------------------------------------------------

    def run(self) -> ShiftResult:
        self._at(0.0, "tick", 0)
        while self.events:
            now, _, kind, ref = heapq.heappop(self.events)
            if now > self.end_s:
                break
            getattr(self, f"_on_{kind}")(now, ref)
        for seat in self.seats:  # conversations still going at the end count up to the end
            if seat.state == "talk":
                self.talk_s += self.end_s - seat.since_s
        return ShiftResult(
            self.plan,
            self.strategy.name,
            self.calls,
            self.talk_s,
            self.conversations,
            self.waits,
            self.strategy.state(),
        )

    def _at(self, when: float, kind: str, ref: int) -> None:
        self._seq += 1
        heapq.heappush(self.events, (when, self._seq, kind, ref))

    def _on_tick(self, now: float, _: int) -> None:
        self._pace(now, tick=True)
        self._at(now + 1.0, "tick", 0)

    def _pace(self, now: float, *, tick: bool = False) -> None:
        """Ask the strategy for dials: every second, and whenever a seat or a line frees (as the product does)."""
        cps = self.plan.calls_per_second
        self.tokens = min(max(1.0, cps), self.tokens + cps * (now - self._refilled_s))
        self._refilled_s = now
        if not tick and self.tokens < 1:
            return
        ready = [seat for seat in self.seats if seat.state == "ready"]
        floor = Floor(
            now_s=now,
            at=SHIFT_START + timedelta(seconds=now),
            ready=len(ready),
            talking_for_s=[now - s.since_s for s in self.seats if s.state in ("talk", "machine")],
            wrapping_for_s=[now - s.wrap_since_s for s in self.seats if s.state == "wrap"],
            ringing_ages_s=[now - self.calls[c].dialled_s for c in self.ringing],
            dial_budget=int(self.tokens),
            tick=tick,
        )
        wanted = self.strategy.dials(floor)
        for index in range(min(wanted, int(self.tokens))):
            number = self._next_number(now)
            if number is None:
                break
            self.tokens -= 1
            seat = ready[index].index if self.strategy.reserves_seat and index < len(ready) else None
            if self.strategy.reserves_seat and seat is None:
                break
            delay = self.rng.uniform(*self.strategy.think_s) if self.strategy.think_s[1] else 0.0
            self._dial(now + delay, number, seat)

    def _next_number(self, now: float) -> str | None:
        if self.retries and self.retries[0][0] <= now:
            return heapq.heappop(self.retries)[1]
        return self.fresh.popleft() if self.fresh else None

    def _dial(self, when: float, number: str, seat: int | None) -> None:
        attempt = self.attempts.get(number, 0)
        self.attempts[number] = attempt + 1
        behaviour = self.plan.mix.draw(number, attempt)
        call = CallRecord(number, attempt, when, behaviour.kind, seat=seat)
        self.calls.append(call)
        ref = len(self.calls) - 1
        if seat is not None:
            self.seats[seat].state = "reserved"
        self.ringing.add(ref)
        self._schedule_outcome(ref, behaviour)

    def _schedule_outcome(self, ref: int, behaviour: Behaviour) -> None:
        call = self.calls[ref]
        timeout = self.plan.ring_timeout_s
        if behaviour.kind in ("busy", "invalid"):
            self._at(call.dialled_s + behaviour.after_s, "ended", ref)
        elif behaviour.kind == "no-answer" or behaviour.ring_s >= timeout:
            self._at(call.dialled_s + timeout, "ended", ref)
        else:
            call.answered_s = call.dialled_s + behaviour.ring_s
            self._at(call.answered_s, "needs_seat", ref)
            if self.plan.detection:
                found = detect(behaviour, "Enable", timeout_s=MACHINE_DETECTION_S)
                self._at(call.answered_s + found.seconds, "classified", ref)
                self._answered_by[ref] = found.answered_by
        self._behaviours[ref] = behaviour

    def _on_ended(self, now: float, ref: int) -> None:
        call = self.calls[ref]
        self.ringing.discard(ref)
        self.strategy.call_ended(now - call.dialled_s)
        self._free_reserved(call, now)
        retry = {"busy": Disposition.BUSY, "no-answer": Disposition.NO_ANSWER}.get(call.kind)
        if call.kind == "answer":  # rang out before the person picked up
            retry = Disposition.NO_ANSWER
        self._maybe_retry(call, retry, now)
        self._pace(now)

    def _on_classified(self, now: float, ref: int) -> None:
        """Detection's verdict, after the answer: the product's rule decides whether it hangs up."""
        call = self.calls[ref]
        if self._answered_by.pop(ref, "human") in ("human", "unknown"):
            return
        put_through = call.put_through_s is not None
        # Every answer has a seat or the message by now, so only a rule that cut off calls put
        # through would hang up here: counted, for the benchmark to fail on.
        call.cut_off = put_through and machine_verdict_hangs_up(
            put_through=True, hearing_message=call.abandoned
        )

    def _on_needs_seat(self, now: float, ref: int) -> None:
        call = self.calls[ref]
        self.ringing.discard(ref)
        self.strategy.call_needed_seat(now - call.dialled_s)
        seat = self.seats[call.seat] if call.seat is not None else self._free_seat()
        at = SHIFT_START + timedelta(seconds=now)
        person = call.kind == "answer"
        # Without detection the dialer cannot tell a machine from a person: it counts every answer.
        self.strategy.answered(at, abandoned=seat is None, turned_away=False)
        if seat is None:
            call.abandoned = person
            call.info_message_s = now + self.plan.answer_latency_s
            if person:
                self.attempts[call.number] = self.plan.max_attempts  # blocked 72 h: past this shift
                self._blocked_until[call.number] = now + ABANDON_BLOCK_S
            else:
                self._maybe_retry(call, Disposition.MACHINE, now)
            return
        call.put_through_s = now
        call.seat = seat.index
        behaviour = self._behaviours.pop(ref)
        if person:
            self.waits.append(now - seat.free_since_s)
            self.conversations += 1
            talk = (
                behaviour.talk_s
                if behaviour.hangup_after_s is None
                else min(behaviour.talk_s, behaviour.hangup_after_s)
            )
            seat.state, seat.since_s = "talk", now
            self._at(now + talk, "talk_over", seat.index)
        else:  # a machine or fax put through: the volunteer hears it and hangs up
            seat.state, seat.since_s = "machine", now
            self._at(now + min(behaviour.greeting_s, 10.0) + 2.0, "talk_over", seat.index)
            self._maybe_retry(call, Disposition.MACHINE, now)

    def _on_talk_over(self, now: float, index: int) -> None:
        seat = self.seats[index]
        self.strategy.talk_ended(now - seat.since_s)
        if seat.state == "machine":  # nothing to write up after a machine
            seat.state, seat.free_since_s = "ready", now
            self._pace(now)
            return
        self.talk_s += now - seat.since_s
        seat.state, seat.wrap_since_s = "wrap", now
        self._at(now + self.rng.uniform(*self.plan.wrap_s), "wrap_over", index)

    def _on_wrap_over(self, now: float, index: int) -> None:
        seat = self.seats[index]
        self.strategy.seat_freed(now - seat.wrap_since_s)
        seat.state, seat.free_since_s = "ready", now
        self._pace(now)

    def _free_seat(self) -> _Seat | None:
        for seat in self.seats:
            if seat.state == "ready":
                return seat
        return None

    def _free_reserved(self, call: CallRecord, now: float) -> None:
        if call.seat is not None and self.seats[call.seat].state == "reserved":
            self.seats[call.seat].state = "ready"

    def _maybe_retry(self, call: CallRecord, disposition: Disposition | None, now: float) -> None:
        if disposition is None or self.attempts[call.number] >= self.plan.max_attempts:
            return
        spacing = DEFAULT_RULES[disposition].retry_after or timedelta(hours=1)
        when = max(
            now + spacing.total_seconds() * self.plan.retry_scale, self._blocked_until.get(call.number, 0.0)
        )
        heapq.heappush(self.retries, (when, call.number))


def run_shift(plan: ShiftPlan, strategy: Strategy) -> ShiftResult:
    return _Shift(plan, strategy).run()
