"""Run RQ workers on Marginal's queues against the configured (or embedded) Redis.

Between jobs (and every few seconds when idle) each worker asks whether Redis has lost the dialer's
state, and if so rebuilds it from SQL and restarts the heartbeat (`upkeep.recover_lost_state`):
the heartbeat job itself lives in Redis, so nothing else would notice.
"""

from __future__ import annotations

import argparse
import logging
import sys
from functools import cache
from typing import Any

import redis
from rq import SimpleWorker, Worker

from dialer import heap
from dialer.adapters import redis_server
from dialer.adapters.rq_queue import QUEUES, WORKER_TTL
from dialer.bootstrap import Services, build
from dialer.config import Settings
from dialer.errors import DialerError
from dialer.services.accounts import accounts
from dialer.services.calling import shifts, upkeep
from dialer.services.campaigns import voter_import
from dialer.services.mail import event_mail, mail, shift_mail, sign_up_confirmation
from dialer.services.phone_bank import PhoneBank

logger = logging.getLogger(__name__)

#: Seconds between a worker's checks that Redis still holds the dialer's state.
RECOVERY_CHECK_S = 10


class _Recovering:
    """RQ's periodic maintenance (every 10 minutes), plus putting back what Redis lost, calling in
    the bookings of shifts that have started, deleting voter-list uploads left unconfirmed too long,
    forgetting sign-in sessions that are over, and writing the day-before event and shift reminders (and
    re-queueing e-mails whose job was lost).

    Redis going away during maintenance is not the worker's end (RQ would quit on it): the worker
    waits for Redis in its next dequeue, as it does between jobs, and recovers when it is back.
    """

    def run_maintenance_tasks(self) -> None:
        try:
            super().run_maintenance_tasks()  # type: ignore[misc]
            bank = _own_phone_bank()
            upkeep.recover_lost_state(bank)
            shifts.call_in_due(bank)  # a shift's own job may have gone with Redis
            voter_import.drop_stale_uploads(bank.uow(), bank.clock)
            accounts.forget_finished_sessions(bank.uow(), bank.clock)
            event_mail.send_reminders(_own_mail())
            shift_mail.send_reminders(_own_mail())
            mail.send_forgotten(_own_mail())
            sign_up_confirmation.forget_expired(_own_mail())
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            logger.warning("Redis went away during maintenance (%s): trying again later", exc)


@cache
def _own_services() -> Services:
    """The worker process's own connections, apart from the jobs' (a forked work horse must not share
    a parent's database connections)."""
    return build(Settings.from_env())


def _own_phone_bank() -> PhoneBank:
    return _own_services().phone_bank


def _own_mail() -> mail.Mail:
    return _own_services().mail


class DialerWorker(_Recovering, Worker):
    """RQ's default worker: each job in a forked work horse."""


class SimpleDialerWorker(_Recovering, SimpleWorker):
    """Jobs in the worker process itself (faster, less isolated)."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers", description="Run a Marginal RQ worker.")
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    parser.add_argument(
        "--no-fork", action="store_true", help="run jobs in the worker process (faster, less isolated)"
    )
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        connection = redis_server.connect(redis_server.redis_url(settings))
    except DialerError as exc:
        sys.exit(f"marginal worker: {exc}")
    worker_class: Any = SimpleDialerWorker if args.no_fork else DialerWorker
    worker = worker_class(
        list(QUEUES),
        connection=connection,
        name=args.name,
        worker_ttl=WORKER_TTL,
        maintenance_interval=RECOVERY_CHECK_S,
    )
    heap.freeze_startup_objects()
    worker.work(burst=args.burst, with_scheduler=True, logging_level="WARNING")
