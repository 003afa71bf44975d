"""A volunteer types a postcode in Chromium and sees the ranked seats and the map."""

from datetime import timedelta

import pytest

from dialer.models import Carpool, Event
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser


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


def test_an_event_and_its_carpool_on_a_result_open_the_event_page(page, live_server, seeded_services):
    services = seeded_services
    code = "E14001065"  # Altrincham and Sale West, the nearest marginal to M1 1AD
    now = services.clock.now()
    starts = now + timedelta(days=3)
    driver = make.user(services)
    with services.uow() as uow:
        doors = Event(
            ons_code=code, title="Saturday doors in Sale", starts_at=starts,
            ends_at=now + timedelta(days=3, hours=3), meeting_postcode="M33 7ZF", lat=53.42, lon=-2.32,
            capacity=20,
        )  # fmt: skip
        uow.session.add(doors)
        uow.session.flush()
        assert doors.id is not None
        uow.session.add(
            Carpool(
                event_id=doors.id, driver_id=driver, pickup_postcode="M1 1AD", lat=53.47, lon=-2.24,
                seats_offered=3, departs_at=starts - timedelta(hours=1), created_at=now,
            )
        )  # fmt: skip
        uow.commit()
        event_id = doors.id
    sign_in_browser(page, live_server.url, email_of(services, make.user(services)))

    page.goto(live_server.url + "/marginals?postcode=M1+1AD")
    card = page.locator(f"#seat-distance-{code}")
    card.get_by_role("link", name="Saturday doors in Sale").click()
    page.wait_for_url(f"**/events/{event_id}")
    assert page.get_by_role("heading", name="Saturday doors in Sale").is_visible()
    assert page.get_by_role("button", name="Sign up").is_visible()

    page.go_back()
    card.get_by_role("link", name="Carpool from M1").click()
    page.wait_for_url(f"**/events/{event_id}#carpools")
    assert page.locator("#carpools").is_visible()
    assert page.get_by_role("button", name="Ask for a seat").is_visible()


def test_the_map_draws_the_coastline_and_a_clicked_seat_opens_its_card(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server.url + "/marginals?postcode=M1+1AD")
    for kind in ("close-up", "overview"):
        coast = page.locator(f"svg.seat-map-{kind} g.coast path.land")
        coast.wait_for(state="attached")
        outline = coast.get_attribute("d") or ""
        assert outline.count("L") > (100 if kind == "overview" else 10), f"no coastline on the {kind} map"
    overview = page.locator("svg.seat-map-overview path.land").bounding_box()
    assert overview is not None and overview["width"] > 100 and overview["height"] > 150  # Great Britain
    save_artifact(page, "marginals-coastline-1366x768")

    marker = page.locator("svg.seat-map-close-up .marker[data-order='distance']").first
    code = marker.get_attribute("data-ons")
    marker.click()
    assert page.url.endswith(f"#seat-distance-{code}")
    card = page.locator(f"#seat-distance-{code}")
    assert card.is_visible() and card.evaluate("c => c.getBoundingClientRect().top") < 768


def test_a_marginal_clicked_on_the_map_opens_its_card_or_names_it(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server.url + "/marginals?postcode=M1+1AD")
    listed = set(page.locator(".seat-card").evaluate_all("cards => cards.map(c => c.dataset.ons)"))
    needy = page.locator("#ranking-need .seat-card").first.get_attribute("data-ons")
    page.locator(f"svg.seat-map-overview .seat-dot.marginal[data-ons='{needy}']").click(force=True)
    assert page.url.endswith(f"#seat-need-{needy}") or page.url.endswith(f"#seat-distance-{needy}")
    assert page.locator(f".seat-card[data-ons='{needy}']:visible").count() == 1

    far = page.locator("svg.seat-map-overview .seat-dot.marginal").evaluate_all(
        "dots => dots.map(d => d.dataset.ons)"
    )
    unlisted = next(code for code in far if code not in listed)
    dot = page.locator(f"svg.seat-map-overview .seat-dot.marginal[data-ons='{unlisted}']")
    name = (dot.locator("title").text_content() or "").split(":")[0]
    dot.click(force=True)
    detail = page.get_by_role("status").filter(has_text="not among the seats listed here")
    assert detail.is_visible() and name in (detail.text_content() or "")
