"""A volunteer's evening on the calling page, in headless Chromium on the simulator (the shift of
tests/browser/test_calling_live.py): pausing during a call, the cue when a voter is put through and
the wait estimate before."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from dialer.domain.calls import CallStatus
from dialer.domain.campaigns import DialingMode
from dialer.domain.dispositions import Disposition
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, CallingSession, Outcome, Voter
from tests.browser.conftest import save_artifact
from tests.browser.test_calling_live import callee, connected_to_a_new_voter, hang_up_and_save
from tests.browser.test_calling_live import running as running  # the shift's fixture
from tests.people import email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer


def test_pause_after_this_call_pressed_while_dialling_takes_effect_when_the_call_ends(page, running):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=3, around_the_clock=True)
    with bank.uow() as uow:
        numbers = uow.session.exec(select(Voter.phone_e164)).all()
    for number in numbers:  # nobody answers: each call rings out (25 s, 5 s on this clock)
        callee(running, str(number), kind="no-answer")
    volunteer = make_volunteer(bank, "Priya")
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")
    page.wait_for_function("() => document.body.dataset.seat === 'dialing'", timeout=20_000)

    page.click("text=Pause after this call")
    page.wait_for_selector("#pause-pending", state="visible")
    save_artifact(page, "calling-pause-pending")
    assert page.evaluate("() => document.body.dataset.seat") == "dialing"  # the call rings on

    page.wait_for_function("() => document.body.dataset.seat === 'paused'", timeout=20_000)
    assert page.is_hidden("#pause-pending")
    assert page.is_visible("#resume")
    page.wait_for_timeout(3000)  # long enough for the pacer to have dialled again
    with bank.uow() as uow:
        assert len(uow.session.exec(select(CallAttempt)).all()) == 1, "nobody else is dialled"
        seat = uow.session.exec(select(CallingSession)).one()
        assert (seat.state, seat.pause_after_call) == (SeatState.PAUSED, False)


#: Counts the tones the page plays (Web Audio oscillators started).
COUNT_TONES = """
window.tonesPlayed = 0;
const make = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  const oscillator = make.call(this);
  const start = oscillator.start.bind(oscillator);
  oscillator.start = (...args) => { window.tonesPlayed += 1; return start(...args); };
  return oscillator;
};
"""


def test_the_wait_is_estimated_from_recent_dials_and_a_voter_put_through_sounds_a_tone_and_shows(
    page, running
):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=5, around_the_clock=True)
    now = bank.clock.now()
    with bank.uow() as uow:
        voters = uow.session.exec(select(Voter).order_by(Voter.id)).all()  # type: ignore[arg-type]
        # Earlier tonight: two dials rang out (25 s each), one was answered after 10 s.
        for voter, (rang, connected) in zip(voters[:3], ((25, False), (25, False), (10, True)), strict=True):
            placed = now - timedelta(minutes=5)
            uow.session.add(
                CallAttempt(
                    campaign_id=campaign,
                    voter_id=voter.id or 0,
                    mode=DialingMode.POWER,
                    status=CallStatus.COMPLETED if connected else CallStatus.NO_ANSWER,
                    placed_at=placed,
                    connected_at=placed + timedelta(seconds=rang) if connected else None,
                    ended_at=placed + timedelta(seconds=rang + (60 if connected else 0)),
                )
            )
            voter.done = True
            uow.session.add(voter)
        uow.commit()
        waiting = [str(voter.phone_e164) for voter in voters[3:]]
    for number in waiting:  # rings 20 s (4 s on this clock), then talks
        callee(running, number, kind="answer", ring_s=20, talk_s=600)
    volunteer = make_volunteer(bank, "Priya")
    page.add_init_script(COUNT_TONES)
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")

    page.wait_for_function("() => document.body.dataset.seat === 'dialing'", timeout=20_000)
    page.wait_for_selector("#wait-estimate", state="visible")
    # 60 s of dialling gave one conversation: about a minute.
    assert page.text_content("#wait-estimate") == "A voter usually comes through within about 60 s."
    assert page.evaluate("() => window.tonesPlayed") == 0
    save_artifact(page, "calling-wait-estimate")

    connected_to_a_new_voter(page, set())
    assert page.is_visible("#put-through")
    assert page.text_content("#put-through") == "A voter is on the line: say hello."
    assert page.evaluate("() => window.tonesPlayed") == 1
    assert page.is_hidden("#wait-estimate")


#: The browser refuses the microphone, as after a click on "Block".
REFUSE_MICROPHONE = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
"""


def test_a_refused_microphone_shows_the_fix_and_offers_call_my_phone_before_any_seat_is_taken(page, running):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=1, around_the_clock=True)
    volunteer = make_volunteer(bank, "Priya", phone="+447700900123")
    page.add_init_script(REFUSE_MICROPHONE)
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    page.click("#start-browser")

    help_box = page.locator("#mic-help")
    help_box.wait_for(state="visible")
    assert "set Microphone to Allow, then try again" in (help_box.text_content() or "")
    save_artifact(page, "calling-microphone-refused")
    with bank.uow() as uow:
        assert uow.session.exec(select(CallingSession)).all() == [], "no seat is taken"

    page.set_viewport_size({"width": 390, "height": 844})  # on a phone, the offer is in view
    offer = help_box.get_by_role("button", name="Call my phone instead")
    box = offer.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844 and box["x"] + box["width"] <= 390
    save_artifact(page, "calling-microphone-refused-phone")
    offer.click()
    page.wait_for_function("() => document.body.dataset.seat === 'connecting'")
    with bank.uow() as uow:
        seat = uow.session.exec(select(CallingSession)).one()
    assert seat.audio.value == "phone"
    assert page.is_hidden("#mic-help")


def badges_shown(page):
    return page.locator("#badges li").all_text_contents()


def test_badges_appear_after_the_first_and_the_tenth_conversation_and_totals_count_this_session_and_all_time(
    page, running
):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=3, around_the_clock=True)
    with bank.uow() as uow:
        numbers = uow.session.exec(select(Voter.phone_e164)).all()
    for number in numbers:
        callee(running, str(number), kind="answer", ring_s=1, talk_s=600)
    volunteer = make_volunteer(bank, "Priya")
    sign_in_browser(page, running.url, email_of(running.services, volunteer))
    page.goto(f"{running.url}/call/{campaign}")
    assert badges_shown(page) == []
    page.click("#start-browser")

    first = connected_to_a_new_voter(page, set())
    hang_up_and_save(page, "1")
    second = connected_to_a_new_voter(page, {first})
    page.wait_for_function("() => document.querySelectorAll('#badges li').length === 1")
    assert badges_shown(page) == ["First conversation"]
    assert page.text_content("#badge-news") == "New badge: First conversation!"

    with bank.uow() as uow:  # eight conversations on earlier evenings
        uow.session.add_all(
            Outcome(
                campaign_id=campaign,
                user_id=volunteer,
                disposition=Disposition.TALKED,
                created_at=bank.clock.now(),
            )
            for _ in range(8)
        )
        uow.commit()
    hang_up_and_save(page, "1")  # the tenth
    connected_to_a_new_voter(page, {first, second})
    page.wait_for_function("() => document.querySelectorAll('#badges li').length === 2")
    assert badges_shown(page) == ["First conversation", "10 conversations"]
    assert page.text_content("#badge-news") == "New badge: 10 conversations!"
    # Totals for this sitting (two conversations) beside all time (ten).
    page.wait_for_function("() => document.getElementById('total-conversations').textContent === '10'")
    assert page.text_content("#total-conversations-session") == "2"
    page.check("#leaderboard-show-me")  # opts in to the phone bank's leaderboard
    page.wait_for_selector("#leaderboard li.you")
    assert page.text_content("#leaderboard li.you") == "Priya · 10"
    page.locator("#badges").scroll_into_view_if_needed()
    save_artifact(page, "calling-badges")

    page.goto(f"{running.url}/")
    assert badges_shown(page) == ["First conversation", "10 conversations"]
    assert "10 conversations" in (page.text_content(".your-progress") or "")
    save_artifact(page, "home-badges")
