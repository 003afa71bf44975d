"""An organiser opens the bird's-eye view in Chromium: the coastline and every marginal are drawn,
a clicked seat shows the campaign's figures there, and the table sorts; on a laptop and a phone."""

from __future__ import annotations

import pytest

from dialer.domain.marginality import MarginalityRule
from dialer.domain.roles import Role
from tests import signup_factories as make
from tests.birds_eye_builders import places, pledges, shift
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser


@pytest.fixture
def app(seeded_app):
    """The live server serves the app on the seeded database."""
    return seeded_app


@pytest.fixture
def campaign(seeded_services):
    """A campaign targeting the tightest marginal, with 3 confirmed places, 2 pledges and a shift."""
    services = seeded_services
    target = min(services.seat_finder.index(MarginalityRule()).seats, key=lambda s: s.majority_pct)
    organiser = make.user(services, role=Role.ORGANISER)
    campaign_id = make.campaign(services, organiser_id=organiser, ons_code=target.ons_code)
    event_id = make.event(services, campaign_id, ons_code=target.ons_code)
    places(services, event_id, "confirmed", "confirmed", "confirmed", "waitlist")
    pledges(services, campaign_id, target.ons_code, 2)
    shift(services, campaign_id, wanted=8, bookings=2)
    return campaign_id, email_of(services, organiser), target


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["laptop", "phone"])
def test_the_map_draws_every_marginal_and_a_clicked_seat_shows_its_figures(
    page, live_server, campaign, seeded_services, size
):
    campaign_id, email, target = campaign
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    sign_in_browser(page, live_server.url, email)
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/birds-eye")

    marginals = len(seeded_services.seat_finder.index(MarginalityRule()))
    svg = page.locator("svg.seat-map-country")
    assert svg.locator(".overview-seat circle").count() == marginals
    page.wait_for_selector("svg.seat-map-country g.coast path.land", state="attached")
    assert len(svg.locator("path.land").get_attribute("d") or "") > 1000  # the coastline, from world-atlas
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False

    svg.locator(f'.overview-seat[data-ons="{target.ons_code}"]').click()
    figures = page.locator(".seat-figures")
    assert figures.is_visible()
    text = figures.inner_text()
    assert target.name in text
    assert "3 of 50 wanted" in text and "Pledges: 2" in text and "Calling shifts: 2 of 8 booked" in text
    assert page.locator(f"#row-{target.ons_code}.chosen").count() == 1
    drawn, card = svg.bounding_box(), figures.bounding_box()
    table = page.locator(".birds-eye-table").bounding_box()
    assert drawn and card and table
    assert card["y"] >= drawn["y"] + drawn["height"]  # the seat's figures come under the map
    if width >= 1000:  # the map is the left column, as tall as the screen allows, the table beside it
        assert drawn["x"] + drawn["width"] <= table["x"]
        assert drawn["height"] >= height * 0.6
    else:
        assert table["y"] > card["y"]
    full = save_artifact(page, f"birds-eye-{width}x{height}")
    page.screenshot(
        path=str(full.with_name(f"birds-eye-{width}x{height}-screen.png"))
    )  # what fits the screen


def test_the_table_sorts_by_majority(page, live_server, campaign):
    campaign_id, email, _ = campaign
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in_browser(page, live_server.url, email)
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/birds-eye")
    page.get_by_role("button", name="Majority").click()  # descending first
    page.get_by_role("button", name="Majority").click()
    values = [
        float(v)
        for v in page.locator("table.sortable tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => c.dataset.value)"
        )
    ]
    assert values == sorted(values) and len(values) > 100
    assert page.locator("th[aria-sort='ascending']").inner_text() == "Majority"
