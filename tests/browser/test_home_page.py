"""The home page renders in a real browser, on a laptop and on a phone."""


def test_the_home_page_renders_in_chromium(page, live_server):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("Phone the voters")
    assert page.locator("a.button", has_text="Find my nearest marginal").is_visible()


def test_the_home_page_fits_a_phone_screen(page, live_server):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
