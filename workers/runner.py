"""Run RQ workers on Marginal's queues against the configured (or embedded) Redis."""

from __future__ import annotations

import argparse
import sys

from rq import SimpleWorker, Worker

from dialer.adapters import redis_server
from dialer.adapters.rq_queue import QUEUES, WORKER_TTL
from dialer.config import Settings
from dialer.errors import DialerError


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
    worker_class = SimpleWorker if args.no_fork else Worker
    worker = worker_class(list(QUEUES), connection=connection, name=args.name, worker_ttl=WORKER_TTL)
    worker.work(burst=args.burst, with_scheduler=True, logging_level="WARNING")
