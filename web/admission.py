"""Admission: how many requests one web process works on at once, and a quick 503 for the rest.

Under gevent a process accepts every connection that arrives and each request then waits its turn
for the CPU and for one of the pool's database connections. When requests come faster than they are
answered (a polling-day message forwarded to thousands at once), that queue only grows: every request
waits longer, the pool's waits end in errors, and the process does not catch up even after the surge.
A bound on the requests in progress keeps the queue short: the excess is answered at once with 503
and Retry-After (which costs next to nothing, and browsers and balancers understand), the admitted
requests are answered in their usual time, and the process is back to normal as soon as the surge
ends.

Never refused: Twilio's voice webhooks (a refused webhook is a voter hearing an error; Twilio does
not try again), Socket.IO (long-lived, and idle most of the time) and the health check (a balancer
must not take a busy process out of service).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.wsgi import ClosingIterator

from dialer.config import Mode, Settings

log = logging.getLogger(__name__)

#: What a refused request is told to wait before trying again, in seconds.
RETRY_AFTER_S = 2
#: Paths admitted whatever the load.
ALWAYS_ADMITTED = ("/voice/", "/socket.io/", "/healthz")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_REFUSAL = (
    b"Marginal is very busy right now and could not take this request. Please try again in a few seconds.\n"
)


class Admission:
    """WSGI middleware admitting at most `limit` requests at once (apart from ALWAYS_ADMITTED)."""

    def __init__(self, app: WsgiApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        # threading's, which gevent's monkey-patching turns into its own under `dialer serve`
        self._places = threading.BoundedSemaphore(limit)
        self.refused = 0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if str(environ.get("PATH_INFO", "")).startswith(ALWAYS_ADMITTED):
            return self.app(environ, start_response)
        if not self._places.acquire(blocking=False):
            self.refused += 1
            if self.refused == 1 or self.refused % 1000 == 0:
                log.warning(
                    "busy: refused a request (%d so far) beyond %d in progress", self.refused, self.limit
                )
            start_response(
                "503 Service Unavailable",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(_REFUSAL))),
                    ("Retry-After", str(RETRY_AFTER_S)),
                    ("Cache-Control", "no-store"),
                ],
            )
            return [_REFUSAL]
        try:
            answer = self.app(environ, start_response)
        except BaseException:
            self._places.release()
            raise
        return ClosingIterator(answer, [self._places.release])


def install(app: Flask, settings: Settings) -> None:
    """Wrap the app (outermost, so a refusal costs nothing more); not under the tests' mode, whose
    test clients leave responses unclosed where a server closes each one (tests use `Admission`)."""
    if settings.mode is not Mode.TEST:
        app.wsgi_app = Admission(app.wsgi_app, settings.requests_in_progress)  # type: ignore[method-assign]
