"""The README's screenshots, taken from the demo as seeded, so they show what a new user sees today.

Runs `dialer demo` in a throwaway instance folder, gives the demo accounts new passwords, and walks
the first five minutes in headless Chromium: the volunteer's nearest marginals, a conversation on the
call screen (on a laptop and on a phone), doorstep mode on a phone, and the organiser's live
dashboard. Writes docs/screenshots/*.png and exits non-zero if any step fails.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests import chromium  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.demo_process import Demo  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
VOLUNTEER = "volunteer@demo.marginal.invalid"
ORGANISER = "organiser@demo.marginal.invalid"


def main() -> int:
    try:
        executable = chromium.find_chromium(chromium.Machine(), say=lambda line: print(line, file=sys.stderr))
    except chromium.NoChromium as missing:
        print(f"screenshots: {missing}", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as instance:
        demo = Demo.start(Path(instance), workers=2)
        try:
            demo.up()
            passwords = demo.reset_passwords()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
                take = _taker(browser, demo.url, passwords)
                take("volunteer-marginals", VOLUNTEER, LAPTOP, _marginals)
                take("volunteer-call", VOLUNTEER, LAPTOP, _conversation)
                take("volunteer-call-phone", VOLUNTEER, PHONE, _conversation)
                take("volunteer-doorstep-phone", VOLUNTEER, PHONE, _doorstep)
                take("organiser-dashboard", ORGANISER, LAPTOP, _dashboard)
                browser.close()
        finally:
            demo.close()
    print(f"screenshots written to {OUT.relative_to(ROOT)}/")
    return 0


def _taker(browser: Any, url: str, passwords: dict[str, str]) -> Callable[..., None]:
    def take(name: str, email: str, viewport: dict[str, int], steps: Callable[[Any, str], None]) -> None:
        context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="Europe/London")
        page = context.new_page()
        page.goto(url + "/sign-in")
        page.fill("#email", email)
        page.fill("#password", passwords[email])
        page.click("button[type=submit]")
        page.wait_for_selector("text=Signed in as")
        steps(page, url)
        page.wait_for_timeout(500)  # let charts and fonts settle
        page.screenshot(path=str(OUT / f"{name}.png"))
        print(f"  {name}.png")
        context.close()

    return take


def _marginals(page: Any, url: str) -> None:
    page.goto(url + "/marginals?postcode=SW1A+1AA")
    page.locator(".seat-card", has_text="Cities of London and Westminster").first.scroll_into_view_if_needed()


def _conversation(page: Any, url: str) -> None:
    page.goto(url + "/call/1")
    # A second visit finds the conversation of the first one held for the volunteer (the seat waits a
    # minute for a page that went away) and rejoins it; otherwise calling starts.
    page.wait_for_function(
        "() => !document.getElementById('start-controls').hidden || document.body.dataset.session"
    )
    if page.is_visible("#start-browser"):
        page.click("#start-browser")
    page.wait_for_function(
        "() => document.body.dataset.seat === 'connected' && !document.getElementById('voter-details').hidden",
        timeout=90_000,
    )
    page.locator("#signup-slot [data-slot=events] li button").first.wait_for()


def _doorstep(page: Any, url: str) -> None:
    page.goto(url + "/events")
    page.get_by_role("link", name="Door-knocking in Pimlico now (demo)").first.click()
    page.get_by_role("link", name="Doorstep mode").click()
    page.locator(".door").first.wait_for()


def _dashboard(page: Any, url: str) -> None:
    page.goto(url + "/organiser/campaigns/1/dashboard")
    page.wait_for_load_state("networkidle")


if __name__ == "__main__":
    sys.exit(main())
