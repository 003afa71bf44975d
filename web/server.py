"""Serve the web app with gunicorn's threaded worker (Flask-SocketIO's threading mode with websockets)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from dialer.config import Settings
from dialer.errors import DialerError


class WebServer(BaseApplication):  # type: ignore[misc]
    """gunicorn configured in code, so `dialer serve` needs no config file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from web import create_app

        try:
            return create_app(Settings.from_env())
        except DialerError as exc:
            sys.exit(f"marginal web: {exc}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m web", description="Serve the Marginal web app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    WebServer(
        {
            "bind": f"{args.host}:{args.port}",
            "workers": 1,  # one process per port: Socket.IO clients must stay on one process
            "worker_class": "gthread",
            "threads": args.threads,
            "timeout": 120,
            "graceful_timeout": 5,
            "loglevel": args.log_level,
            "accesslog": None,
        }
    ).run()
