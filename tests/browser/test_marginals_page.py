"""A volunteer types a postcode in Chromium and sees the ranked seats and the map."""

import pytest

from tests.browser.conftest import save_artifact


@pytest.fixture
def app(seeded_app):
    """The live server serves the app on the seeded database."""
    return seeded_app


def test_a_volunteer_enters_a_postcode_and_sees_the_ranked_seats_and_the_map(page, live_server):
    page.goto(live_server.url + "/marginals")
    page.get_by_label("Your postcode").fill("m1 1ad")
    page.get_by_role("button", name="Find seats").click()
    page.wait_for_url("**/marginals?postcode=m1+1ad**")

    nearest = page.locator("#ranking-distance .seat-card")
    assert nearest.count() == 10
    assert nearest.first.locator("h3").inner_text().startswith("1 ")
    distances = [
        float(t.split(" km")[0]) for t in page.locator("#ranking-distance .distance").all_inner_texts()
    ]
    assert distances == sorted(distances)
    close_up = page.locator("svg.seat-map-close-up")
    assert close_up.is_visible()
    assert close_up.locator(".marker[data-order='distance']").count() == 10
    assert close_up.locator(".you").count() == 1
    assert page.locator("svg.seat-map-overview circle.seat-dot.marginal").count() >= 174
    save_artifact(page, "marginals-page")

    page.get_by_role("link", name="Needs you most").click()  # switched in place by the page's script
    assert page.locator("#ranking-need").is_visible()
    assert not page.locator("#ranking-distance").is_visible()
    assert page.locator("#ranking-need .seat-card").count() == 10
    assert "order=need" in page.url


def test_the_list_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/marginals")
        page.fill("#postcode", "CT1")
        page.click("button[type=submit]")
        assert page.locator("#ranking-distance .seat-card").count() == 10
        page.click("text=Needs you most")
        assert page.locator("#ranking-need").is_visible()
        assert "order=need" in page.url
    finally:
        context.close()


def test_the_page_fits_a_phone_and_explains_a_bad_postcode(page, live_server):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/marginals?postcode=AB10+1AB")
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    assert page.locator("svg.seat-map-close-up").bounding_box()["width"] <= 375
    save_artifact(page, "marginals-page-phone")
    page.get_by_label("Your postcode").fill("SW99 9ZZ")
    page.get_by_role("button", name="Find seats").click()
    assert page.get_by_role("alert").inner_text().startswith("Unknown postcode district SW99")


def test_on_a_phone_the_first_seat_card_is_on_screen_before_the_map(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/marginals?postcode=M1+1AD")
    card = page.locator("#ranking-distance .seat-card").first.bounding_box()
    close_up = page.locator("svg.seat-map-close-up").bounding_box()
    assert card is not None and close_up is not None
    assert card["y"] + 120 <= 844, (
        f"the first seat card starts {card['y']:.0f} px down"
    )  # its name and result show
    assert close_up["y"] > card["y"]  # the map comes after the list on a phone
    assert page.evaluate("window.scrollY") == 0
    save_artifact(page, "marginals-page-390x844")


def test_on_a_laptop_the_map_stays_beside_the_list(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server.url + "/marginals?postcode=M1+1AD")
    card = page.locator("#ranking-distance .seat-card").first.bounding_box()
    close_up = page.locator("svg.seat-map-close-up").bounding_box()
    assert card is not None and close_up is not None
    assert close_up["x"] + close_up["width"] <= card["x"]  # map on the left, list on the right
    assert card["y"] < 768
    save_artifact(page, "marginals-page-1366x768")
