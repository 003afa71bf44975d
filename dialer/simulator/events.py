"""The event log: everything the simulator did, in order (and by call), for tests and the control plane."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    kind: str
    call_sid: str | None
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "kind": self.kind,
            "call_sid": self.call_sid,
            **self.data,
        }


class EventLog:
    """An append-only log with increasing ids; the oldest entries go once `limit` is reached."""

    def __init__(self, limit: int = 500_000) -> None:
        self._events: deque[Event] = deque()
        self._by_call: dict[str, deque[Event]] = {}
        self._limit = limit
        self._next_id = 0
        self._lock = threading.Lock()

    def record(self, at: datetime, kind: str, call_sid: str | None = None, **data: Any) -> Event:
        with self._lock:
            event = Event(self._next_id, at, kind, call_sid, data)
            self._next_id += 1
            self._events.append(event)
            if call_sid is not None:
                self._by_call.setdefault(call_sid, deque()).append(event)
            if len(self._events) > self._limit:
                self._forget(self._events.popleft())
            return event

    def _forget(self, event: Event) -> None:
        if event.call_sid is not None:
            own = self._by_call[event.call_sid]
            own.popleft()
            if not own:
                del self._by_call[event.call_sid]

    def since(
        self, first_id: int = 0, *, kind: str | None = None, call_sid: str | None = None, limit: int = 10_000
    ) -> list[Event]:
        with self._lock:
            source = self._events if call_sid is None else self._by_call.get(call_sid, deque())
            if not source:
                return []
            # Ids increase along both sequences, so the starting point can be found by bisection.
            start = bisect_left(source, first_id, key=lambda event: event.id)
            selected: list[Event] = []
            for index in range(start, len(source)):
                event = source[index]
                if kind is None or event.kind == kind:
                    selected.append(event)
                    if len(selected) >= limit:
                        break
            return selected

    @property
    def next_id(self) -> int:
        return self._next_id

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self._by_call.clear()
