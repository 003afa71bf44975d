"""The seat survives the volunteer's page going away (issue 16, acceptance 1), in headless Chromium
against the real app, RQ worker and the Twilio simulator (the `running` world of
test_calling_live.py).

A reload mid-conversation, a reload in wrap-up, and twenty seconds with every connection of the page
cut (the app's and the simulator's websockets closed, its HTTP refused): each time the same voter is
back on screen with what was typed, the volunteer's new audio leg is in the voter's conference (the
simulator's own records say so), the voter's call is still up (or, in wrap-up, over by the voter's
own hang-up, as its log shows), and the outcome saved afterwards is in the campaign's export. A page
that never comes back leaves an "outcome missing" record that the organiser sees listed.
"""

# ruff: noqa: F811  (the `running` fixture is imported from test_calling_live.py and named as an argument)
from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import Route, WebSocketRoute
from sqlmodel import select

from dialer.domain.dispositions import Disposition
from dialer.domain.roles import Role
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, CallingSession, Campaign, CampaignOrganiser, Voter
from dialer.services.calling import seat_holding
from dialer.services.compliance import audit
from dialer.services.organising import exports
from tests.browser.conftest import save_artifact
from tests.browser.test_calling_live import (  # noqa: F401
    Running,
    callee,
    connected_to_a_new_voter,
    outcome_for,
    running,
)
from tests.people import add_account, email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer

#: Simulated seconds (the simulator's clock runs five times faster than the wall clock).
TALKS_FOR_AN_HOUR = 3600


def calling(
    page, running: Running, *, talk_s: int = TALKS_FOR_AN_HOUR, grace_s: int = 60
) -> tuple[int, int, str]:
    """A volunteer in a conversation in the browser; returns (campaign, volunteer, voter's name)."""
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=1, around_the_clock=True)
    with bank.uow() as uow:
        found = uow.session.get(Campaign, campaign)
        assert found is not None
        found.seat_grace_s = grace_s
        uow.commit()
        number = uow.session.exec(select(Voter.phone_e164)).one()
    assert number is not None
    callee(running, number, kind="answer", ring_s=1, talk_s=talk_s)
    volunteer = make_volunteer(bank, "Noor")
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave site?": yes (the test asks the questions)
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")
    page.wait_for_selector('body[data-audio="connected"]')
    return campaign, volunteer, connected_to_a_new_voter(page, set())


def hang_up_and_save(page, disposition: str) -> None:
    """Choose the outcome during the conversation, hang up, save it: it is sent when the call screen's
    undo window closes."""
    page.click(f".disposition[data-disposition='{disposition}']")
    page.click("#hang-up")
    page.wait_for_function("() => document.body.dataset.seat === 'wrap_up'")
    page.click("#save-outcome")


def type_answers(page, notes: str) -> None:
    page.check("input[name='q-intention'][value='LD']")
    page.check("input[name='q-help'][value='Doors']")
    page.fill("#notes", notes)


def the_seat(running: Running, volunteer: int) -> CallingSession:
    with running.services.uow() as uow:
        return uow.session.exec(select(CallingSession).where(CallingSession.user_id == volunteer)).one()


def the_call(running: Running, volunteer: int) -> CallAttempt:
    with running.services.uow() as uow:
        return uow.session.exec(
            select(CallAttempt)
            .join(CallingSession, CallingSession.id == CallAttempt.session_id)  # type: ignore[arg-type]
            .where(CallingSession.user_id == volunteer)
        ).one()


def until(check, what: str, timeout_s: float = 20, *, page=None) -> Any:
    """Wait for `check`; with the page, waiting lets Playwright serve its routes meanwhile."""
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        assert time.monotonic() < deadline, f"never: {what}"
        if page is not None:
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)
    return found


def draft_saved(running: Running, volunteer: int, notes: str) -> bool:
    draft = the_call(running, volunteer).draft or {}
    return draft.get("notes") == notes and draft.get("answers", {}).get("intention") == "LD"


def the_same_voter_is_back_with_what_was_typed(page, voter: str, state: str, notes: str) -> None:
    page.wait_for_function(f"() => document.body.dataset.seat === '{state}'", timeout=20_000)
    assert page.text_content("#voter-name") == voter
    assert page.is_visible("#voter-details")
    assert page.is_checked("input[name='q-intention'][value='LD']")
    assert page.is_checked("input[name='q-help'][value='Doors']")
    assert page.input_value("#notes") == notes


def conference_of(running: Running, volunteer: int) -> tuple[list[str], str]:
    """Who the simulator has in the seat's conference, and the voter's call status there."""
    seat, call = the_seat(running, volunteer), the_call(running, volunteer)
    client = running.simulator.rest_client()
    rooms = client.conferences.list(friendly_name=seat.conference_name, status="in-progress")
    members = [p.call_sid for p in client.conferences(rooms[0].sid).participants.list()] if rooms else []
    assert call.provider_sid is not None
    return members, str(client.calls(call.provider_sid).fetch().status)


def audio_back_with_the_voter(running: Running, volunteer: int, page=None) -> None:
    def back() -> bool:
        seat, call = the_seat(running, volunteer), the_call(running, volunteer)
        members, status = conference_of(running, volunteer)
        return (
            seat.away_since is None
            and seat.leg_call_sid in members
            and call.provider_sid in members
            and status == "in-progress"
        )

    until(back, "the volunteer's new leg in the conference with the voter, whose call is still up", page=page)


def in_the_export(running: Running, campaign: int, voter: str, disposition: str) -> bool:
    services = running.services
    csv = "".join(exports.export(services.uow, services.clock, audit.SYSTEM, campaign, "outcomes"))
    return any(voter in line and disposition in line for line in csv.splitlines())


def test_a_reload_mid_conversation_brings_back_the_voter_the_answers_and_the_audio(page, running):
    campaign, volunteer, voter = calling(page, running)
    old_leg = the_seat(running, volunteer).leg_call_sid
    type_answers(page, "Worried about the bus route")
    until(lambda: draft_saved(running, volunteer, "Worried about the bus route"), "the draft is saved")
    page.wait_for_function("() => document.getElementById('call-timer').textContent >= '0:03'")
    asked: list[str] = []
    page.once("dialog", lambda dialog: asked.append(dialog.type))

    page.reload()

    assert asked == ["beforeunload"], "the page asked before leaving a call"
    the_same_voter_is_back_with_what_was_typed(page, voter, "connected", "Worried about the bus route")
    page.wait_for_selector('body[data-audio="connected"]')
    audio_back_with_the_voter(running, volunteer)
    assert the_seat(running, volunteer).leg_call_sid != old_leg
    holds = [e.kind for e in running.simulator.events(call_sid=the_call(running, volunteer).provider_sid)]
    assert "held" in holds and holds.index("held") < holds.index("unheld"), (
        "held, then back with the volunteer"
    )
    page.wait_for_function("() => document.getElementById('call-timer').textContent !== '0:00'")
    assert (page.text_content("#call-timer") or "") >= "0:03", "the timer counts from the call's start"
    save_artifact(page, "seat-back-after-reload")

    hang_up_and_save(page, "talked")
    until(lambda: in_the_export(running, campaign, voter, "talked"), "the outcome is in the export")
    assert outcome_for(running.services, voter) == (Disposition.TALKED, volunteer)


def test_a_reload_in_wrap_up_brings_back_the_voter_and_the_answers_for_the_outcome(page, running):
    campaign, volunteer, voter = calling(page, running, talk_s=15)  # the voter hangs up after 3 s
    type_answers(page, "Hung up mid-sentence")
    page.wait_for_function("() => document.body.dataset.seat === 'wrap_up'", timeout=20_000)
    until(lambda: draft_saved(running, volunteer, "Hung up mid-sentence"), "the draft is saved")

    page.goto(f"{running.url}/call/{campaign}")  # a fresh load: no form state kept by the browser

    the_same_voter_is_back_with_what_was_typed(page, voter, "wrap_up", "Hung up mid-sentence")
    page.wait_for_selector('body[data-audio="connected"]')
    seat, call = the_seat(running, volunteer), the_call(running, volunteer)
    members, status = conference_of(running, volunteer)
    assert seat.state is SeatState.WRAP_UP and seat.leg_call_sid in members
    assert status == "completed" and call.provider_sid not in members
    assert any(
        e.kind == "ended" and e.data.get("by") == "callee"
        for e in running.simulator.events(call_sid=call.provider_sid)
    ), "the voter hung up, as the simulator's log shows"

    page.click(".disposition[data-disposition='refused']")
    until(lambda: in_the_export(running, campaign, voter, "refused"), "the outcome is in the export")
    page.wait_for_function("() => ['ready', 'dialing'].includes(document.body.dataset.seat)")


def test_twenty_seconds_without_any_connection_mid_conversation_loses_nothing(page, running):
    cut = {"on": False}
    sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []

    def through(socket: WebSocketRoute) -> None:
        if cut["on"]:
            socket.close()  # nothing gets through while the connection is down
            return
        sockets.append((socket, socket.connect_to_server()))

    def http(route: Route) -> None:
        if cut["on"]:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route_web_socket(
        re.compile(r"^ws://127\.0\.0\.1:\d+/socket\.io/"), through
    )  # the app and the simulator
    page.route("**/*", http)
    campaign, volunteer, voter = calling(page, running)
    type_answers(page, "Before the drop")
    until(lambda: draft_saved(running, volunteer, "Before the drop"), "the draft is saved", page=page)

    cut["on"] = True
    for socket, server in sockets:
        socket.close()
        server.close()
    until(
        lambda: the_seat(running, volunteer).away_since is not None,
        "the seat is held",
        timeout_s=10,
        page=page,
    )
    page.fill("#notes", "Before the drop, and during it")  # typed while nothing gets through
    page.wait_for_timeout(20_000)
    seat = the_seat(running, volunteer)
    assert seat.state is SeatState.CONNECTED and seat.away_since is not None
    assert conference_of(running, volunteer)[1] == "in-progress", "the voter is still on the line, held"
    cut["on"] = False

    page.wait_for_selector('body[data-audio="connected"]', timeout=30_000)
    the_same_voter_is_back_with_what_was_typed(page, voter, "connected", "Before the drop, and during it")
    audio_back_with_the_voter(running, volunteer, page)
    until(
        lambda: draft_saved(running, volunteer, "Before the drop, and during it"),
        "the draft caught up",
        page=page,
    )
    save_artifact(page, "seat-back-after-the-connection")

    hang_up_and_save(page, "talked")
    until(
        lambda: in_the_export(running, campaign, voter, "talked"), "the outcome is in the export", page=page
    )


def test_a_page_that_never_comes_back_leaves_an_outcome_missing_record_the_organiser_sees(
    browser, page, running
):
    campaign, volunteer, voter = calling(page, running, grace_s=3)
    type_answers(page, "Asked about postal votes")
    until(lambda: draft_saved(running, volunteer, "Asked about postal votes"), "the draft is saved")
    call = the_call(running, volunteer)

    page.close()  # the laptop lid shuts for good
    until(lambda: the_seat(running, volunteer).away_since is not None, "the seat is held")
    assert conference_of(running, volunteer)[1] == "in-progress", "the voter is held, not dropped"
    time.sleep(3.5)
    assert seat_holding.end_seats_not_back(running.services.phone_bank) == [the_seat(running, volunteer).id]

    assert the_seat(running, volunteer).state is SeatState.ENDED
    assert outcome_for(running.services, voter) == (Disposition.OUTCOME_MISSING, volunteer)
    client = running.simulator.rest_client()
    assert call.provider_sid is not None
    until(lambda: client.calls(call.provider_sid).fetch().status == "completed", "the held voter is let go")
    assert in_the_export(running, campaign, voter, "outcome_missing")

    organiser = add_account(running.services, "olu@example.org", role=Role.ORGANISER, first_name="Olu")
    with running.services.uow() as uow:
        uow.session.add(CampaignOrganiser(campaign_id=campaign, user_id=organiser))
        uow.commit()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    try:
        desk = context.new_page()
        sign_in_browser(desk, running.url, email_of(running.services, organiser))
        desk.goto(f"{running.url}/organiser/campaigns/{campaign}/dashboard")
        desk.click("text=To follow up")
        row = desk.locator("#follow-ups tbody tr")
        assert row.count() == 1
        text = row.inner_text()
        assert voter in text and "Noor" in text and "Asked about postal votes" in text
        assert "Called again from" in text
        save_artifact(desk, "follow-ups-organiser")
    finally:
        context.close()


def test_a_volunteer_whose_own_phone_drops_mid_conversation_rings_it_again_and_is_back_with_the_voter(
    page, running
):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=1, around_the_clock=True)
    with bank.uow() as uow:
        number = uow.session.exec(select(Voter.phone_e164)).one()
    assert number is not None
    callee(running, number, kind="answer", ring_s=1, talk_s=TALKS_FOR_AN_HOUR)
    own_phone = "+442079460555"
    # The volunteer answers, presses 1, and their phone drops half a minute (simulated) later.
    callee(running, own_phone, kind="answer", ring_s=1, digits="1", digits_after_s=1, hangup_after_s=30)
    volunteer = make_volunteer(bank, "Ife", phone=own_phone)
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-phone")
    voter = connected_to_a_new_voter(page, set())
    type_answers(page, "Signal went")

    page.wait_for_selector("#ring-again", state="visible", timeout=20_000)
    assert "voter is on hold" in (page.text_content("#seat-restore-status") or "")
    assert conference_of(running, volunteer)[1] == "in-progress", "the voter is held, not dropped"
    callee(running, own_phone, kind="answer", ring_s=1, digits="1", digits_after_s=1)  # a better signal
    page.click("#ring-again")

    audio_back_with_the_voter(running, volunteer)
    page.wait_for_selector("#ring-again", state="hidden")
    assert page.text_content("#voter-name") == voter and page.input_value("#notes") == "Signal went"
    save_artifact(page, "seat-back-after-the-phone")
    hang_up_and_save(page, "talked")
    until(lambda: in_the_export(running, campaign, voter, "talked"), "the outcome is in the export")
