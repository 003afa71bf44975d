"""The call screen during a live call, in headless Chromium on the simulator (the shift of
tests/browser/test_calling_live.py): what a call needs stays in the window at laptop and phone
sizes, and the organiser's script is filled in for the voter and volunteer on screen."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from dialer.domain.calls import CallStatus
from dialer.domain.dispositions import Disposition
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, CallingSession, Campaign, Outcome, Voter
from tests.browser.conftest import save_artifact
from tests.browser.test_calling_live import Running, callee, connected_to_a_new_voter, outcome_for
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
        # The most the session panel shows at once: the put-through cue and news of a badge.
        page.evaluate(
            """() => { for (const id of ['put-through', 'badge-news']) {
                         const cue = document.getElementById(id);
                         cue.textContent = cue.textContent || 'New badge: 10 conversations!';
                         cue.hidden = false; } }"""
        )
        page.wait_for_timeout(200)  # layout settles
        save_artifact(page, f"call-screen-{name}")
        misplaced = [
            problem
            for selector in ("#hang-up", "#voter-name", "#call-timer", ".disposition")
            for problem in outside(page, selector, screen)
        ]
        assert misplaced == [], f"on the {name}: {misplaced}"
        assert page.locator(".disposition").count() == 11
        # Letters are shown as capitals: "Language barrier" is L, never an l that reads as 1.
        assert page.text_content(".disposition[data-disposition='language_barrier'] kbd") == "L"
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


def calls_and_outcomes(running: Running) -> tuple[list[CallStatus], int, SeatState]:
    """Every call placed (its status), how many outcomes are recorded, and the seat's state."""
    with running.services.uow() as uow:
        calls = uow.session.exec(select(CallAttempt).order_by(col(CallAttempt.id))).all()
        outcomes = len(uow.session.exec(select(Outcome)).all())
        seat = uow.session.exec(select(CallingSession)).one()
        return [call.status for call in calls], outcomes, seat.state


def test_an_outcome_key_during_a_call_only_chooses_it_and_undo_after_saving_keeps_the_voter_and_dials_nobody(
    page, running
):
    voter = live_call(page, running, "Priya")

    page.keyboard.press("1")  # "Talked to voter", while talking
    page.wait_for_timeout(1500)
    assert page.evaluate("() => document.body.dataset.seat") == "connected"
    assert page.get_attribute(".disposition[data-disposition='talked']", "aria-pressed") == "true"
    assert calls_and_outcomes(running) == ([CallStatus.IN_PROGRESS], 0, SeatState.CONNECTED)
    with running.services.uow() as uow:
        sid = uow.session.exec(select(CallAttempt.provider_sid)).one()
    assert sid is not None
    assert running.simulator.rest_client().calls(sid).fetch().status == "in-progress"  # still talking

    page.keyboard.press("h")  # the explicit hang-up
    page.wait_for_function("() => document.body.dataset.seat === 'wrap_up'")
    page.keyboard.press("Enter")  # save "Talked to voter"
    page.wait_for_selector("#undo", state="visible")
    save_artifact(page, "call-screen-undo")
    page.keyboard.press("u")
    page.wait_for_timeout(6500)  # longer than the undo window

    assert page.text_content("#voter-name") == voter
    assert page.is_visible("#voter-details")
    assert page.is_hidden("#undo")
    assert calls_and_outcomes(running) == ([CallStatus.COMPLETED], 0, SeatState.WRAP_UP)

    page.click(".disposition[data-disposition='refused']")  # after the call, a click saves
    second = connected_to_a_new_voter(page, {voter})
    assert outcome_for(running.services, voter)[0] is Disposition.REFUSED
    assert second != voter
