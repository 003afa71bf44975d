"""In-process plumbing for tests: twilio-python and webhooks straight into WSGI apps, no sockets.

`WsgiHttpClient` is a twilio-python HttpClient that hands each request to a WSGI app (the
simulator's) with werkzeug's test machinery, so `twilio.rest.Client` runs unmodified: only
`client.api.base_url` differs. `WsgiTransport` delivers the simulator's signed webhooks to a WSGI
app (the product's), keeping the full URL so the product validates the signature as in production.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response
from werkzeug.test import Client as WerkzeugClient
from werkzeug.test import EnvironBuilder

from dialer.simulator.webhooks import WebhookRequest, WebhookResponse

logger = logging.getLogger("twilio.http_client")


def _pairs(values: dict[str, object] | None) -> list[tuple[str, str]]:
    """Form pairs as requests encodes them: lists repeat the key, None values are dropped."""
    pairs: list[tuple[str, str]] = []
    for key, value in (values or {}).items():
        items = value if isinstance(value, list | tuple) else [value]
        pairs.extend((key, str(item)) for item in items if item is not None)
    return pairs


class WsgiHttpClient(HttpClient):  # type: ignore[misc]
    """twilio-python's transport, short-circuited into a WSGI application."""

    def __init__(self, app: Any, timeout: float | None = None) -> None:
        super().__init__(logger, False, timeout)
        self._client = WerkzeugClient(app, use_cookies=False)

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        parts = urlsplit(url)
        query = "&".join(filter(None, [parts.query, urlencode(_pairs(params))]))
        body = urlencode(_pairs(data)).encode() if data else b""
        builder = EnvironBuilder(
            method=method.upper(),
            base_url=f"{parts.scheme}://{parts.netloc}",
            path=parts.path,
            query_string=query,
            data=body,
            headers=list((headers or {}).items()),
            content_type="application/x-www-form-urlencoded" if body else None,
            auth=auth,
        )
        try:
            response = self._client.open(builder, buffered=True)  # closed, as a server does
        finally:
            builder.close()
        self._test_only_last_response = Response(
            response.status_code, response.get_data(as_text=True), response.headers
        )
        return self._test_only_last_response


class WsgiTransport:
    """Delivers webhooks into a WSGI app (e.g. the product's Flask app) with the full URL kept."""

    def __init__(self, app: Any) -> None:
        self._client = WerkzeugClient(app, use_cookies=False)

    def __call__(self, request: WebhookRequest, timeout: float) -> WebhookResponse:
        parts = urlsplit(request.url)
        builder = EnvironBuilder(
            method=request.method,
            base_url=f"{parts.scheme}://{parts.netloc}",
            path=parts.path,
            query_string=parts.query,
            data=request.body,
            headers=list(request.headers.items()),
            content_type=request.headers.get("Content-Type") if request.method == "POST" else None,
        )
        try:
            response = self._client.open(builder, buffered=True)  # closed, as a server does
        finally:
            builder.close()
        return WebhookResponse(
            response.status_code, response.get_data(as_text=True), response.headers.get("Content-Type", "")
        )
