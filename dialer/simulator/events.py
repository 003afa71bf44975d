"""The event log: everything the simulator did, in order, for tests and the control plane to read."""

from __future__ import annotations

import threading
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
        self._events: deque[Event] = deque(maxlen=limit)
        self._next_id = 0
        self._lock = threading.Lock()

    def record(self, at: datetime, kind: str, call_sid: str | None = None, **data: Any) -> Event:
        with self._lock:
            event = Event(self._next_id, at, kind, call_sid, data)
            self._next_id += 1
            self._events.append(event)
            return event

    def since(
        self, first_id: int = 0, *, kind: str | None = None, call_sid: str | None = None, limit: int = 10_000
    ) -> list[Event]:
        with self._lock:
            if not self._events:
                return []
            offset = max(0, first_id - self._events[0].id)
            selected: list[Event] = []
            for index in range(offset, len(self._events)):
                event = self._events[index]
                if (kind is None or event.kind == kind) and (call_sid is None or event.call_sid == call_sid):
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
