"""Webhooks as Twilio sends them: signed form requests, a pluggable transport and delivery lanes.

Every request carries `X-Twilio-Signature`, computed with twilio-python's own RequestValidator over
the exact URL and parameters (HMAC-SHA1 keyed with the account's auth token), so the product checks
signatures in every mode. Transports: real HTTP (requests, Twilio's 15 s timeout, no retries) for
the simulator's own process, or any callable (e.g. a Flask test client of the product) in tests.
Dispatchers: inline (tests on a simulated clock: deterministic) or lanes (background threads; one
call's webhooks always travel in one lane, so they leave in order).
"""

from __future__ import annotations

import logging
import queue
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from twilio.request_validator import RequestValidator

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
USER_AGENT = "TwilioProxy/1.1"
#: Twilio waits this long for a webhook response (voice URLs and callbacks alike).
DEFAULT_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    url: str
    params: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> bytes:
        return urlencode(self.params).encode() if self.method == "POST" else b""


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    body: str
    content_type: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class WebhookFailure(Exception):
    """Nothing usable came back: a timeout or a refused connection (Twilio's 11205)."""


class Transport(Protocol):
    def __call__(self, request: WebhookRequest, timeout: float, /) -> WebhookResponse: ...


class Signer:
    """Builds signed requests: POST parameters in the body, GET parameters in the query string."""

    def __init__(self, auth_token: str) -> None:
        self._validator = RequestValidator(auth_token)

    def request(self, method: str, url: str, params: dict[str, str]) -> WebhookRequest:
        method = method.upper()
        if method == "GET":
            parts = urlsplit(url)
            query = "&".join(filter(None, [parts.query, urlencode(params)]))
            url = urlunsplit(parts._replace(query=query))
            signature = self._validator.compute_signature(url, {})
            body_params: dict[str, str] = {}
        else:
            method = "POST"
            signature = self._validator.compute_signature(url, params)
            body_params = params
        headers = {
            SIGNATURE_HEADER: signature,
            "User-Agent": USER_AGENT,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "*/*",
        }
        return WebhookRequest(method, url, body_params, headers)


class HttpTransport:
    """Real HTTP with a pooled session; a timeout or refused connection is a WebhookFailure."""

    def __init__(self, pool_size: int = 32) -> None:
        self._session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __call__(self, request: WebhookRequest, timeout: float) -> WebhookResponse:
        try:
            response = self._session.request(
                request.method,
                request.url,
                data=request.body or None,
                headers=request.headers,
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise WebhookFailure(f"{exc.__class__.__name__}: {exc}") from None
        return WebhookResponse(response.status_code, response.text, response.headers.get("Content-Type", ""))


class Dispatcher(Protocol):
    """Runs deliveries: `lane` keeps one call's (or one conference's) deliveries in order."""

    def submit(self, lane: str, work: Callable[[], None]) -> None: ...

    def close(self) -> None: ...


class InlineDispatcher:
    """Runs each delivery at once, in the calling thread (deterministic tests on a simulated clock)."""

    def submit(self, lane: str, work: Callable[[], None]) -> None:
        work()

    def close(self) -> None:
        pass


class LaneDispatcher:
    """A few background threads; deliveries in one lane run in submission order on one thread."""

    def __init__(self, lanes: int = 8) -> None:
        self._queues: list[queue.SimpleQueue[Callable[[], None] | None]] = [
            queue.SimpleQueue() for _ in range(lanes)
        ]
        self._threads = [
            threading.Thread(target=self._run, args=(q,), name=f"webhooks-{i}", daemon=True)
            for i, q in enumerate(self._queues)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, lane: str, work: Callable[[], None]) -> None:
        self._queues[zlib.crc32(lane.encode()) % len(self._queues)].put(work)

    def close(self) -> None:
        for lane in self._queues:
            lane.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    @staticmethod
    def _run(lane: queue.SimpleQueue[Callable[[], None] | None]) -> None:
        while (work := lane.get()) is not None:
            try:
                work()
            except Exception:
                logger.exception("a webhook delivery failed")
