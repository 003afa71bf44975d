"""Background jobs on RQ: enqueue by dotted path, so the core never imports the workers package."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import redis
from rq import Queue, Worker

from dialer.ports import ProbeResult

#: Queue names, most urgent first (workers listen in this order).
QUEUES = ("calls", "default", "imports")
#: Seconds between an idle worker's heartbeats (rq refreshes them every worker_ttl - 15 s).
WORKER_TTL = 30


class RqJobQueue:
    def __init__(self, connection: redis.Redis, *, is_async: bool = True) -> None:
        self._queues = {name: Queue(name, connection=connection, is_async=is_async) for name in QUEUES}

    def enqueue(self, job: str, *args: Any, at: datetime | None = None, job_id: str | None = None) -> None:
        queue = self._queues[_queue_for(job)]
        if at is not None:
            queue.enqueue_at(at, job, *args, job_id=job_id)
        else:
            queue.enqueue(job, *args, job_id=job_id)


def _queue_for(job: str) -> str:
    name = job.rsplit(".", 1)[-1]
    if name.startswith("import"):
        return "imports"
    if name in {"place_call", "reconcile_calls", "pace_campaign"}:
        return "calls"
    return "default"


def workers_probe(connection: redis.Redis, now: datetime, max_age_s: float = 30.0) -> ProbeResult:
    """OK when at least one worker has sent a heartbeat in the last `max_age_s` seconds."""
    workers = Worker.all(connection=connection)
    fresh = [
        worker
        for worker in workers
        if worker.last_heartbeat is not None
        and (now - _aware(worker.last_heartbeat)).total_seconds() <= max_age_s
    ]
    if not fresh:
        return ProbeResult(False, f"no worker seen in the last {max_age_s:.0f} s ({len(workers)} registered)")
    return ProbeResult(True, f"{len(fresh)} worker(s) seen in the last {max_age_s:.0f} s")


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
