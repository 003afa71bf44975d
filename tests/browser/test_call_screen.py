"""The call screen during a live call, in headless Chromium on the simulator (the shift of
tests/browser/test_calling_live.py): what a call needs stays in the window at laptop and phone
sizes, and the organiser's script is filled in for the voter and volunteer on screen."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from dialer.models import Campaign, Voter
from tests.browser.conftest import save_artifact
from tests.browser.test_calling_live import Running, callee, connected_to_a_new_voter
from tests.browser.test_calling_live import running as running  # the shift's fixture
from tests.people import email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCRIPT = (
    "## Introduce yourself\n\nHi, is that **{first name}**? My name's {my name}, calling for {campaign} "
    "in {seat}.\n\n" + "\n\n".join(f"{n}. A question worth asking, number {n}." for n in range(1, 30))
)


def live_call(page: Any, running: Running, volunteer_name: str) -> str:
    """A volunteer signed in, calling in the browser, talking to a voter; returns the voter's name."""
    bank = running.services.phone_bank
    campaign = make_campaign(bank, name="Westminster phone bank", voters=2, around_the_clock=True)
    with bank.uow() as uow:
        row = uow.session.get(Campaign, campaign)
        assert row is not None
        row.script_md = SCRIPT
        uow.session.add(row)
        uow.commit()
        numbers = uow.session.exec(select(Voter.phone_e164)).all()
    for number in numbers:
        assert number is not None
        callee(running, number, kind="answer", ring_s=1, talk_s=600)
    volunteer = make_volunteer(bank, volunteer_name)
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")
    return connected_to_a_new_voter(page, set())


def outside(page: Any, selector: str, screen: dict[str, int]) -> list[str]:
    """The elements matching `selector` that are not wholly inside the window."""
    misplaced = []
    for element in page.locator(selector).all():
        box = element.bounding_box()
        if (
            box is None
            or box["x"] < 0
            or box["y"] < 0
            or box["x"] + box["width"] > screen["width"]
            or box["y"] + box["height"] > screen["height"]
        ):
            misplaced.append(f"{selector} {element.text_content()!r} at {box}")
    return misplaced


def test_hang_up_the_voter_and_every_outcome_button_are_in_the_window_on_a_laptop_and_a_phone(page, running):
    live_call(page, running, "Priya")

    for name, screen in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(screen)
        page.wait_for_timeout(200)  # layout settles
        save_artifact(page, f"call-screen-{name}")
        misplaced = [
            problem
            for selector in ("#hang-up", "#voter-name", "#call-timer", ".disposition")
            for problem in outside(page, selector, screen)
        ]
        assert misplaced == [], f"on the {name}: {misplaced}"
        assert page.locator(".disposition").count() == 11
        window = page.evaluate("() => [document.documentElement.scrollHeight, window.innerHeight]")
        assert window[0] <= window[1], f"on the {name} the page scrolls: {window}"
        # The long script and the survey scroll in their own panel instead.
        panel = page.evaluate(
            """() => { const p = document.querySelector('.call-panel');
                       return [p.scrollHeight, p.clientHeight, getComputedStyle(p).overflowY,
                               p.contains(document.getElementById('outcome-form'))]; }"""
        )
        assert panel[0] > panel[1] and panel[2] == "auto" and panel[3], f"on the {name}: {panel}"


def test_the_script_names_the_voter_on_screen_the_volunteer_the_campaign_and_the_seat(page, running):
    voter = live_call(page, running, "Priya")

    script = page.text_content(".script-body") or ""
    assert f"Hi, is that {voter}? My name's Priya, calling for Westminster phone bank in " in script
    assert "Cities of London and Westminster." in script
    assert "{" not in page.evaluate("() => document.body.innerText")
