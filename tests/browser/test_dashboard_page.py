"""The organiser's dashboard in headless Chromium: totals and the chart move while a simulated shift
runs, with no reload, and end where a recount from SQL says; it fits a laptop and a tablet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dialer.domain.figures import key
from dialer.domain.roles import Role
from dialer.models import CampaignOrganiser
from dialer.services.calling import dashboard
from tests.browser.conftest import LiveServer, save_artifact
from tests.dashboard_shift import Shift
from tests.people import add_account, sign_in_browser


class RelayedToBrowsers:
    """What the Redis message queue does in production: what the shift publishes reaches the page."""

    def publish(self, room, event, payload):
        from web.extensions import socketio

        socketio.emit(event, payload, namespace="/live", to=room)


@pytest.fixture
def running(settings, clean_db, redis, redis_url, monkeypatch) -> Iterator[tuple[Shift, LiveServer, str]]:
    shift = Shift(settings, clean_db, redis, redis_url, relay=RelayedToBrowsers(), faults=False)
    organiser = add_account(shift.services, "olu@example.org", role=Role.ORGANISER, first_name="Olu")
    with shift.services.uow() as uow:
        uow.session.add(CampaignOrganiser(campaign_id=shift.campaign_id, user_id=organiser))
        uow.commit()
    server = LiveServer(shift.app).start()
    from web.extensions import socketio

    monkeypatch.setattr(socketio.server.eio, "cors_allowed_origins", [server.url])
    yield shift, server, "olu@example.org"
    server.stop()
    shift.close()


def tile(page, metric: str) -> int:
    return int(page.inner_text(f'.tiles [data-metric="{metric}"]').replace(",", ""))


def chart_total(page) -> int:
    return int(
        page.evaluate(
            "window.marginalDashboard.charts.hourly.data.datasets.reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0)"
        )
    )


def test_the_totals_and_the_chart_move_while_a_shift_runs_without_a_reload(page, running):
    shift, server, email = running
    sign_in_browser(page, server.url, email)
    page.goto(f"{server.url}/organiser/campaigns/{shift.campaign_id}/dashboard")
    page.wait_for_selector('#connection[data-state="live"]')
    page.wait_for_function(
        "() => document.querySelector('.tiles [data-metric=dials]').textContent !== '\u2013'"
    )
    page.evaluate("window.notReloaded = true")
    before = {metric: tile(page, metric) for metric in ("dials", "connects", "conversations")}
    chart_before = chart_total(page)

    shift.on_each(20 * 60, 60, lambda: page.wait_for_timeout(50))  # the page keeps up as it goes

    counted = shift.bank.tally.read(shift.campaign_id).figures
    page.wait_for_function(
        "n => document.querySelector('.tiles [data-metric=dials]').textContent.replace(/,/g, '') === String(n)",
        arg=counted[key("all", "dials")],
        timeout=10_000,
    )
    assert page.evaluate("window.notReloaded") is True
    assert tile(page, "dials") > before["dials"]
    assert tile(page, "conversations") > before["conversations"]
    assert tile(page, "connects") == counted[key("all", "connects")]
    assert chart_total(page) > chart_before, "the calls-per-hour chart moved"
    with shift.services.uow() as uow:
        recounted = dashboard.recount(uow.session, shift.campaign_id)
    assert tile(page, "conversations") == recounted[key("all", "conversations")]
    assert page.locator("#leaderboard tbody tr").count() == 4
    assert page.locator("#league tbody tr th").first.inner_text() == "Cities of London and Westminster"
    assert "ready" in page.get_attribute("#states li:first-child", "data-state")
    assert page.inner_text("#pool dd").replace(",", "").isdigit()
    save_artifact(page, "dashboard-laptop")

    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, portrait
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    save_artifact(page, "dashboard-tablet")


def test_an_organiser_ends_a_volunteers_session_from_the_dashboard(page, running):
    shift, server, email = running
    shift.advance(90)
    sign_in_browser(page, server.url, email)
    page.goto(f"{server.url}/organiser/campaigns/{shift.campaign_id}/dashboard")
    page.wait_for_selector("#leaderboard button[data-session]")
    page.on("dialog", lambda dialog: dialog.accept())
    first = page.locator("#leaderboard button[data-session]").first
    session_id = int(first.get_attribute("data-session") or 0)
    first.click()
    page.wait_for_function(
        "id => !document.querySelector(`#leaderboard button[data-session='${id}']`)", arg=session_id
    )
    from dialer.models import CallingSession

    with shift.services.uow() as uow:
        seat = uow.session.get(CallingSession, session_id)
        assert seat is not None and seat.state.value == "ended"


def test_the_campaign_form_previews_the_script_and_fits_a_tablet(page, live_server, services):
    add_account(services, "ada@example.org", role=Role.ORGANISER, first_name="Ada")
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in_browser(page, live_server.url, "ada@example.org")
    page.goto(f"{live_server.url}/organiser/campaigns/new")
    page.fill("#script_md", "## Say hello\n\nAsk about **polling day**. <img src=x onerror=alert(1)>")
    page.click("#script-preview-button")
    page.wait_for_selector("#script-preview h2")
    assert page.inner_text("#script-preview h2") == "Say hello"
    assert page.locator("#script-preview img").count() == 0, "raw HTML in a script is shown as text"
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    save_artifact(page, "campaign-form-tablet")


def test_the_hours_of_the_chart_are_uk_hours_on_a_device_set_to_new_york(browser, running):
    from zoneinfo import ZoneInfo

    shift, server, email = running
    context = browser.new_context(locale="en-GB", timezone_id="America/New_York")
    page = context.new_page()
    try:
        sign_in_browser(page, server.url, email)
        page.goto(f"{server.url}/organiser/campaigns/{shift.campaign_id}/dashboard")
        page.wait_for_function("() => window.marginalDashboard.charts.hourly.data.labels.length > 0")
        labels = page.evaluate("window.marginalDashboard.charts.hourly.data.labels")
        now = shift.services.clock.now().astimezone(ZoneInfo("Europe/London"))
        assert labels[-1] == f"{now:%H}:00", labels
        assert "UK time" in page.inner_text("#chart-title")
    finally:
        context.close()


def test_an_organiser_ends_the_phone_bank_after_a_confirmation_naming_who_is_calling_and_reopens_it(
    page, running
):
    shift, server, email = running
    shift.advance(30)
    with shift.services.uow() as uow:
        calling = len(uow.session.exec(_live_seats(shift.campaign_id)).all())
    assert calling > 1
    sign_in_browser(page, server.url, email)
    page.goto(f"{server.url}/organiser/campaigns/{shift.campaign_id}/dashboard")
    save_artifact(page, "dashboard-end-button")
    page.click("#end-phone-bank")

    assert page.text_content("#calling-now").startswith(f"{calling} volunteers are calling now.")
    save_artifact(page, "dashboard-end-confirmation")
    page.get_by_role("button", name=f"End the phone bank for {calling} volunteers").click()
    page.get_by_role("button", name="Reopen phone bank").click()
    page.wait_for_selector("#end-phone-bank")
    assert page.text_content("#campaign-status") == "Active"


def _live_seats(campaign_id: int):
    from sqlmodel import col, select

    from dialer.domain.seats import LIVE_SEAT_STATES
    from dialer.models import CallingSession

    return select(CallingSession).where(
        CallingSession.campaign_id == campaign_id, col(CallingSession.state).in_(LIVE_SEAT_STATES)
    )
