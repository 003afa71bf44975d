"""The ports: what use cases need from the outside world, as Protocols adapters implement."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from sqlmodel import Session

from dialer.clock import Clock

__all__ = ["Clock", "JobQueue", "LiveUpdates", "Probe", "ProbeResult", "UnitOfWork"]


class UnitOfWork(Protocol):
    """One transaction over the durable record; nothing is kept unless commit() is called."""

    @property
    def session(self) -> Session: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class JobQueue(Protocol):
    """Background work, named by the dotted path of a job function that takes ids."""

    def enqueue(
        self, job: str, *args: Any, at: datetime | None = None, job_id: str | None = None
    ) -> None: ...


class LiveUpdates(Protocol):
    """Pushes an event to everyone watching a room (a campaign, a seat, a volunteer)."""

    def publish(self, room: str, event: str, payload: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    detail: str


#: A named health check of one component (database, Redis, workers, telephony).
Probe = Callable[[], ProbeResult]
