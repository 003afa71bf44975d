"""A web process under a surge answers what it cannot take at once with 503 and Retry-After, keeps
Twilio's webhooks flowing, and takes requests again as soon as the surge passes."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.test import Client, TestResponse
from werkzeug.wrappers import Response

from dialer.config import Mode
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import pledges
from tests import signup_factories as make
from web.admission import RETRY_AFTER_S, Admission, install


class SlowApp:
    """A WSGI app whose requests to /slow wait until let go."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.inside = threading.Semaphore(0)

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            self.inside.release()
            self.go.wait(10)
        return Response("done")(environ, start_response)


@contextmanager
def two_slow_requests_in_progress(limit: int = 2) -> Iterator[Admission]:
    """An admission of `limit` with two requests to /slow in progress, let go at the block's end."""
    app = SlowApp()
    admission = Admission(app, limit=limit)
    threads = [
        threading.Thread(target=Client(admission).get, args=("/slow",), kwargs={"buffered": True})
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert app.inside.acquire(timeout=10)
    try:
        yield admission
    finally:
        app.go.set()
        for thread in threads:
            thread.join(10)


def get(admission: Admission, path: str) -> TestResponse:
    return Client(admission).get(path, buffered=True)


def test_a_request_beyond_the_bound_is_refused_at_once_with_503_and_when_to_try_again():
    with two_slow_requests_in_progress() as admission:
        refused = get(admission, "/pledge/polling-day/knock-up")

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == str(RETRY_AFTER_S)
    assert "try again in a few seconds" in refused.get_data(as_text=True)


def test_twilios_webhooks_and_the_health_check_are_taken_even_at_the_bound():
    with two_slow_requests_in_progress() as admission:
        assert Client(admission).post("/voice/answer", buffered=True).status_code == 200
        assert get(admission, "/healthz").status_code == 200


def test_once_the_requests_in_progress_are_answered_new_ones_are_taken_again():
    with two_slow_requests_in_progress() as admission:
        assert get(admission, "/").status_code == 503

    assert [get(admission, "/").status_code for _ in range(5)] == [200] * 5
    assert admission.refused == 1


def test_a_page_that_waits_in_vain_for_a_database_connection_says_busy_with_503_not_an_error(
    client, services, monkeypatch
):
    campaign_id = make.campaign(services)
    pledges.create_pledge(
        services.uow(), campaign_id, slug="p", text="Knock up", clock=services.clock, actor=SYSTEM
    )

    def pool_exhausted(*args, **kwargs):
        raise PoolTimeout("QueuePool limit of size 10 overflow 20 reached, connection timed out")

    monkeypatch.setattr(pledges, "public_pledge", pool_exhausted)
    page = client.get("/pledge/polling-day/p")

    assert page.status_code == 503
    assert page.headers["Retry-After"] == str(RETRY_AFTER_S)
    assert "very busy" in page.get_data(as_text=True)


def test_a_deployed_web_process_bounds_its_requests_in_progress_as_configured(settings):
    app = Flask("a deployed process")

    install(app, settings.model_copy(update={"mode": Mode.LOOPBACK, "requests_in_progress": 7}))

    assert isinstance(app.wsgi_app, Admission) and app.wsgi_app.limit == 7
