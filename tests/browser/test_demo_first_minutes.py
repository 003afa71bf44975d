"""The demo's first minutes, as someone who has just cloned the repository tries them in Chromium.

`dialer demo` runs as `scripts/demo` runs it, in processes of its own (simulator, worker, web app),
twice on one instance folder: the second run is the one tried, signed in with the passwords that the
command it names prints. Nothing is prepared by hand: what the volunteer finds is the demo as seeded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.browser.conftest import save_artifact
from tests.demo_process import Demo
from tests.people import sign_in_browser

VOLUNTEER = "volunteer@demo.marginal.invalid"
#: A conversation must be on screen within this long of pressing "start calling" (the issue: a minute).
FIRST_CONVERSATION_MS = 60_000


@dataclass
class SecondRun:
    demo: Demo
    printed: str
    passwords: dict[str, str]


@pytest.fixture(scope="module")
def second_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecondRun]:
    instance = tmp_path_factory.mktemp("demo-instance")
    first = Demo.start(instance)
    try:
        first.up()
        status, _, err = first.interrupt()
        assert status == 0, err
    finally:
        first.close()
    demo = Demo.start(instance)
    try:
        demo.up()
        printed = "".join(demo.out)
        yield SecondRun(demo, printed, demo.reset_passwords())
    finally:
        demo.close()


def test_a_second_run_names_the_accounts_and_the_command_whose_passwords_sign_in(second_run, page):
    assert VOLUNTEER in second_run.printed and "scripts/demo --reset-passwords" in second_run.printed
    assert "passwords are shown only now" not in second_run.printed
    sign_in_browser(page, second_run.demo.url, VOLUNTEER, second_run.passwords[VOLUNTEER])
    assert "Signed in as" in page.text_content("body")


def test_the_volunteer_finds_the_pledge_from_the_marginals_page(second_run, page):
    url = second_run.demo.url
    sign_in_browser(page, url, VOLUNTEER, second_run.passwords[VOLUNTEER])
    page.goto(url + "/marginals")
    page.fill("input[name=postcode]", "SW1A 1AA")
    page.press("input[name=postcode]", "Enter")
    card = page.locator("#ranking-distance .seat-card", has_text="Cities of London and Westminster")
    card.get_by_role("link", name="Make the pledge").click()
    page.wait_for_selector("text=take polling day off")
    save_artifact(page, "demo-pledge")


def test_the_first_conversation_offers_an_event_a_carpool_and_the_pledge(second_run, page):
    url = second_run.demo.url
    sign_in_browser(page, url, VOLUNTEER, second_run.passwords[VOLUNTEER])
    page.goto(url + "/call/1")
    page.click("#start-browser")
    page.wait_for_function(
        "() => document.body.dataset.seat === 'connected' && !document.getElementById('voter-details').hidden",
        timeout=FIRST_CONVERSATION_MS,
    )
    slot = page.locator("#signup-slot")
    slot.locator("[data-slot=events] li button").first.wait_for()
    for kind in ("events", "carpools", "pledges"):
        offered = slot.locator(f"[data-slot={kind}] li")
        assert offered.count() >= 1 and "Nothing nearby yet" not in offered.first.text_content(), kind
    assert "polling day" in slot.locator("[data-slot=pledges]").text_content()
    save_artifact(page, "demo-first-conversation")


def test_doorstep_mode_opens_the_walk_list_of_the_door_knock_on_now(second_run, page):
    url = second_run.demo.url
    sign_in_browser(page, url, VOLUNTEER, second_run.passwords[VOLUNTEER])
    page.goto(url + "/events")
    page.get_by_role("link", name="Door-knocking in Pimlico now (demo)").first.click()
    page.get_by_role("link", name="Doorstep mode").click()
    doors = page.locator(".door .door-address")
    doors.first.wait_for()
    assert doors.count() >= 8
    assert all(", SW1V " in text for text in doors.all_text_contents())
    save_artifact(page, "demo-doorstep")
