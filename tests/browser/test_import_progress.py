"""The import page's progress bar moves live over Socket.IO, and a reload shows the same state."""

from pathlib import Path

import pytest

from dialer.services.campaigns import voter_import
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "voters_malformed.csv"


class NoJobs:
    def enqueue(self, job, *args, at=None, job_id=None):
        pass


class RelayedToBrowsers:
    """What the Redis message queue does in production: a worker's publish reaches the web app's clients."""

    def publish(self, room, event, payload):
        from web.extensions import socketio

        socketio.emit(event, payload, namespace="/live", to=room)


def test_the_progress_bar_fills_as_the_worker_publishes_without_a_reload(
    page, live_server, app, services, monkeypatch
):
    monkeypatch.setattr(voter_import, "CHUNK_ROWS", 4)
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    import_id = voter_import.start_import(
        services.uow(), services.clock, campaign_id=campaign_id, user_id=organiser,
        filename="voters.csv", data=FIXTURE.read_bytes(), encoding="utf-8",
    )  # fmt: skip
    _, row = voter_import.progress(services.uow(), import_id)
    voter_import.choose_columns(services.uow(), NoJobs(), import_id, row.columns)

    from web.extensions import socketio

    # The app accepts Socket.IO connections from its public address only; here that is the test server.
    monkeypatch.setattr(socketio.server.eio, "cors_allowed_origins", [live_server.url])
    page.goto(live_server.url + "/")
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/imports/{import_id}")
    assert page.inner_text('[data-field="status"]') == "queued"
    page.evaluate("window.notReloaded = true")
    page.wait_for_function("() => window.io && document.getElementById('import-bar') !== null")
    page.wait_for_timeout(500)  # let the page join its import's room

    voter_import.run_import(
        services.uow, services.clock, RelayedToBrowsers(), import_id, number_key=services.number_key
    )

    page.wait_for_function(
        "() => document.querySelector('[data-field=status]').textContent === 'done'", timeout=10_000
    )
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.getElementById('import-bar').value") == 100
    assert page.inner_text('[data-field="imported"]') == "7"
    assert page.inner_text('[data-field="rejected"]') == "10"
    save_artifact(page, "import-progress-live")

    page.reload()
    assert "line" not in page.inner_text("#import-status")
    report = page.inner_text("table.problems")
    for line in (7, 8, 9, 10, 12, 13, 14, 16, 19, 23):
        assert f"\n{line}\t" in f"\n{report}"
    save_artifact(page, "import-report")


@pytest.mark.parametrize("width", [375])
def test_the_organiser_campaign_page_fits_a_phone(page, live_server, app, services, width):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    make.event(services, campaign_id)
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(live_server.url + "/")
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/signups")
    assert page.locator("h1").inner_text().endswith("events, pledges and voters")
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    save_artifact(page, "organiser-campaign-phone")
