"""Serve the web app with gunicorn: by default its gevent worker (Flask-SocketIO in gevent mode).

A dashboard or calling page holds a websocket for as long as it is open. gunicorn's threaded
worker ties up a thread per websocket, and broadcasting one event to a thousand of them wakes a
thousand threads; with gevent each is a greenlet and the same broadcast is a loop. Measured in
docs/BENCHMARKS.md (`scripts/bench_dashboard.py --mode threading` reproduces the threaded figures).
Each process has one worker: a Socket.IO client must stay on one process, and more processes go
behind a load balancer with sticky sessions, sharing events through the Redis message queue.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from dialer import heap
from dialer.config import Settings
from dialer.errors import DialerError

MODES = ("gevent", "threading")


class WebServer(BaseApplication):  # type: ignore[misc]
    """gunicorn configured in code, so `dialer serve` needs no config file."""

    def __init__(self, options: dict[str, Any], async_mode: str = "gevent") -> None:
        self.options = options
        self.async_mode = async_mode
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from dialer.services.calling import dashboard
        from web import create_app

        try:
            app = create_app(Settings.from_env(), async_mode=self.async_mode)
            # Figures Redis lost start again from the record. Those it holds are left alone: a
            # recount while calls are being counted can miss one (docs/DASHBOARD.md), and web
            # processes restart one by one under load.
            dashboard.reconcile_running(app.extensions["marginal"].phone_bank, only_lost=True)
        except DialerError as exc:
            sys.exit(f"marginal web: {exc}")
        heap.freeze_startup_objects()
        return app


def options(host: str, port: int, *, async_mode: str, threads: int, log_level: str) -> dict[str, Any]:
    common: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": 1,  # one process per port: Socket.IO clients must stay on one process
        "timeout": 120,
        "graceful_timeout": 5,
        "loglevel": log_level,
        "accesslog": None,
    }
    if async_mode == "gevent":
        return common | {"worker_class": "gevent", "worker_connections": 5000}
    return common | {"worker_class": "gthread", "threads": threads}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m web", description="Serve the Marginal web app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--async-mode", choices=MODES, default="gevent")
    parser.add_argument("--threads", type=int, default=64, help="threads per process (threading mode)")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    try:
        Settings.from_env().check_listening_address(args.host)
    except DialerError as exc:
        sys.exit(f"marginal web: {exc}")
    WebServer(
        options(
            args.host, args.port, async_mode=args.async_mode, threads=args.threads, log_level=args.log_level
        ),
        args.async_mode,
    ).run()
