"""Injected faults: what can go wrong between the product and Twilio, on demand and reproducibly.

REST faults answer a request (before it has any effect) with 429/20429, a 5xx, or a slow response.
Webhook faults: a timeout (the product receives the request but Twilio stops waiting, after the
webhook timeout on the simulator's clock), a duplicate (the same signed callback twice), or
out-of-order (a status callback held back and sent after the next one).
"""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

FaultKind = Literal[
    "rest_429", "rest_5xx", "rest_slow", "webhook_timeout", "duplicate_callback", "out_of_order"
]
KINDS: tuple[FaultKind, ...] = (
    "rest_429",
    "rest_5xx",
    "rest_slow",
    "webhook_timeout",
    "duplicate_callback",
    "out_of_order",
)
REST_KINDS = frozenset({"rest_429", "rest_5xx", "rest_slow"})


@dataclass
class Fault:
    """One fault rule.

    `count`: how many more times it fires (None: until cleared); `probability`: the chance it fires
    on each matching request (drawn from the simulator's seeded generator); `match`: a substring the
    REST path or webhook URL must contain; `status`: the HTTP status of a 5xx; `delay_s`: how long a
    slow REST response takes (real seconds, so the product's own HTTP timeout can fire).
    """

    kind: FaultKind
    count: int | None = 1
    probability: float = 1.0
    match: str | None = None
    status: int = 500
    delay_s: float = 2.0
    id: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if not 0 <= self.probability <= 1:
            raise ValueError("probability must be between 0 and 1")
        if self.kind == "rest_5xx" and not 500 <= self.status <= 599:
            raise ValueError("a 5xx fault needs a status between 500 and 599")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1 (or null for until cleared)")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        known = {item.name for item in fields(cls)} - {"id"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        return cls(**data)


class FaultBook:
    def __init__(self, seed: int = 0) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = next(self._ids)
            self._faults.append(fault)
            return fault

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) < before

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def fire(self, kinds: frozenset[str] | set[str], target: str) -> Fault | None:
        """The first fault of one of `kinds` matching `target` that fires now (its count is used)."""
        if not self._faults:
            return None
        with self._lock:
            for fault in self._faults:
                if fault.kind not in kinds or (fault.match and fault.match not in target):
                    continue
                if fault.probability < 1 and self._random.random() >= fault.probability:
                    continue
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                return fault
            return None
