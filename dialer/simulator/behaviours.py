"""How the people (and machines) at the numbers we ring behave: per number, or as a seeded mix.

A behaviour is what happens when a number is dialled: it rings and is answered by a person who
talks for a while, or by an answering machine or a fax; it is busy; it rings out; it does not
exist; the person hangs up after a few seconds (even in the middle of a message); or detection
misreads them. Fixtures use Ofcom's drama ranges (07700 900xxx, 020 7946 0xxx), never real numbers.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

Kind = Literal["answer", "busy", "no-answer", "machine", "fax", "invalid"]
KINDS: tuple[Kind, ...] = ("answer", "busy", "no-answer", "machine", "fax", "invalid")


@dataclass(frozen=True)
class Behaviour:
    """One callee. Times are seconds on the simulator's clock.

    answer:    rings `ring_s`, answers, waits up to `patience_s` to be put through to someone, then
               talks `talk_s` and hangs up (unless we hang up first).
    machine:   rings `ring_s`, plays a `greeting_s` greeting then a beep, records up to `record_s`.
    fax:       rings `ring_s`, answers with fax tones for `record_s`.
    busy:      busy tone `after_s` after dialling.
    invalid:   fails `after_s` after dialling with SIP response `sip_code`: 404 (the number does not
               exist), or a carrier's temporary failure such as 503 (congestion) or 480.
    no-answer: rings until the call's Timeout.
    `hangup_after_s` makes an answered callee hang up that long after answering, whatever is playing;
    `detected_as` is what answering-machine detection reports instead of the truth (misclassification);
    `digits` are keyed `digits_after_s` into a <Gather>.
    """

    kind: Kind = "answer"
    ring_s: float = 5.0
    talk_s: float = 60.0
    patience_s: float = 60.0
    greeting_s: float = 12.0
    record_s: float = 60.0
    after_s: float = 3.0
    hangup_after_s: float | None = None
    detected_as: str | None = None
    digits: str | None = None
    digits_after_s: float = 2.0
    sip_code: int = 404

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown behaviour kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if not 400 <= self.sip_code <= 699:
            raise ValueError("sip_code must be a SIP failure response (400-699)")
        for name in ("ring_s", "talk_s", "patience_s", "greeting_s", "record_s", "after_s", "digits_after_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    # --- the behaviours by name -------------------------------------------------------

    @classmethod
    def answer(cls, ring: float = 5.0, talk: float = 60.0, **options: Any) -> Behaviour:
        return cls("answer", ring_s=ring, talk_s=talk, **options)

    @classmethod
    def busy(cls, after: float = 3.0) -> Behaviour:
        return cls("busy", after_s=after)

    @classmethod
    def no_answer(cls) -> Behaviour:
        return cls("no-answer")

    @classmethod
    def machine(cls, ring: float = 15.0, greeting: float = 12.0, **options: Any) -> Behaviour:
        return cls("machine", ring_s=ring, greeting_s=greeting, **options)

    @classmethod
    def fax(cls, ring: float = 3.0) -> Behaviour:
        return cls("fax", ring_s=ring, record_s=30.0)

    @classmethod
    def invalid(cls, after: float = 1.0, sip_code: int = 404) -> Behaviour:
        return cls("invalid", after_s=after, sip_code=sip_code)

    @classmethod
    def congested(cls, after: float = 1.0) -> Behaviour:
        """The carrier cannot complete the call just now (SIP 503 Service Unavailable)."""
        return cls("invalid", after_s=after, sip_code=503)

    @classmethod
    def hangs_up_after(cls, seconds: float, ring: float = 5.0) -> Behaviour:
        return cls("answer", ring_s=ring, hangup_after_s=seconds)

    @classmethod
    def misclassified(cls, truth: Behaviour, reported: str) -> Behaviour:
        """Answering-machine detection reports `reported` (e.g. a person as `machine_start`)."""
        return replace(truth, detected_as=reported)

    # --- wire form (control plane) ----------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Behaviour:
        known = {item.name for item in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown behaviour fields: {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass(frozen=True)
class Mix:
    """A seeded population: each dial of a number draws a behaviour, reproducibly.

    The draw depends only on (seed, number, how many times that number has been dialled), so a run
    is reproducible whatever order calls are placed in, and a redial can get a different outcome.
    """

    seed: int = 0
    weights: dict[str, float] = field(
        default_factory=lambda: {
            "answer": 0.32,
            "machine": 0.15,
            "no-answer": 0.38,
            "busy": 0.08,
            "invalid": 0.05,
            "fax": 0.02,
        }
    )
    ring_s: tuple[float, float] = (4.0, 18.0)
    talk_s: tuple[float, float] = (30.0, 240.0)
    greeting_s: tuple[float, float] = (6.0, 18.0)
    hangup_during_message: float = 0.05
    misclassified: float = 0.03

    def __post_init__(self) -> None:
        bad = set(self.weights) - set(KINDS)
        if bad or not self.weights or any(weight < 0 for weight in self.weights.values()):
            raise ValueError(f"weights must be non-negative and name only {', '.join(KINDS)}")
        if sum(self.weights.values()) <= 0:
            raise ValueError("weights must not all be zero")

    def draw(self, number: str, attempt: int) -> Behaviour:
        rng = random.Random(f"{self.seed}:{number}:{attempt}")
        kinds = list(self.weights)
        kind = rng.choices(kinds, weights=[self.weights[k] for k in kinds])[0]
        ring = round(rng.uniform(*self.ring_s), 1)
        if kind == "answer":
            behaviour = Behaviour.answer(ring=ring, talk=round(rng.uniform(*self.talk_s), 1))
            if rng.random() < self.hangup_during_message:
                behaviour = replace(behaviour, hangup_after_s=round(rng.uniform(1.0, 8.0), 1))
            if rng.random() < self.misclassified:
                behaviour = replace(behaviour, detected_as="machine_start")
            return behaviour
        if kind == "machine":
            return Behaviour.machine(ring=ring, greeting=round(rng.uniform(*self.greeting_s), 1))
        if kind == "fax":
            return Behaviour.fax(ring=ring)
        if kind == "busy":
            return Behaviour.busy(after=round(rng.uniform(2.0, 5.0), 1))
        if kind == "invalid":
            return Behaviour.invalid(after=round(rng.uniform(0.5, 2.0), 1))
        return Behaviour.no_answer()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mix:
        known = {item.name for item in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown mix fields: {', '.join(sorted(unknown))}")
        converted: dict[str, Any] = {
            key: tuple(value) if isinstance(value, list) else value for key, value in data.items()
        }
        return cls(**converted)


class BehaviourBook:
    """Who is at each number: explicit behaviours first, else a draw from the mix."""

    def __init__(self, mix: Mix | None = None) -> None:
        self.mix = mix or Mix()
        self._by_number: dict[str, Behaviour] = {}
        self._attempts: Counter[str] = Counter()

    def set(self, number: str, behaviour: Behaviour) -> None:
        self._by_number[number] = behaviour

    def forget(self, number: str) -> None:
        self._by_number.pop(number, None)

    def explicit(self, number: str) -> Behaviour | None:
        return self._by_number.get(number)

    def for_dial(self, number: str) -> Behaviour:
        """The behaviour for the next dial of `number` (counts the attempt)."""
        attempt = self._attempts[number]
        self._attempts[number] += 1
        explicit = self._by_number.get(number)
        return explicit if explicit is not None else self.mix.draw(number, attempt)

    def as_json(self) -> dict[str, Any]:
        return {
            "numbers": {number: b.to_json() for number, b in self._by_number.items()},
            "mix": self.mix.to_json(),
        }
