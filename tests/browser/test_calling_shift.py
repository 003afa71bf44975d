"""A calling shift in headless Chromium, on the simulator in real time (the stack of
tests/browser/test_calling_live.py): a volunteer books it on their phone; at its start their open page
says they are being rung, the simulated phone presses 1, and the organiser's dashboard, open all the
while, shows them present without a reload."""

from __future__ import annotations

import time
from datetime import timedelta

from dialer.domain.roles import Role
from dialer.models import CampaignOrganiser
from dialer.services.calling import shifts
from tests.browser.conftest import save_artifact
from tests.browser.test_calling_live import callee
from tests.browser.test_calling_live import running as running  # the shift's fixture
from tests.people import add_account, email_of, sign_in_browser
from tests.phone_bank_builders import make_campaign, make_volunteer

PHONE = "+447700900654"
STARTS_IN_S = 8


def test_a_booked_volunteer_is_rung_at_the_start_and_the_dashboard_shows_them_present(browser, page, running):
    bank = running.services.phone_bank
    campaign = make_campaign(bank, voters=2, around_the_clock=True)
    organiser = add_account(bank, "shift-lead@example.org", role=Role.ORGANISER, first_name="Olu")
    with bank.uow() as uow:
        uow.session.add(CampaignOrganiser(campaign_id=campaign, user_id=organiser))
        uow.commit()
    volunteer = make_volunteer(bank, "Priya", phone=PHONE)  # verified
    callee(running, PHONE, kind="answer", ring_s=2, talk_s=3600, digits="1")
    starts = bank.clock.now() + timedelta(seconds=STARTS_IN_S)
    shift = shifts.publish_shift(
        bank, campaign, organiser, shifts.ShiftForm(starts, starts + timedelta(hours=2), wanted=6)
    )

    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    phone = phone_context.new_page()
    sign_in_browser(phone, running.url, email_of(running.services, volunteer))
    phone.goto(f"{running.url}/shifts")
    phone.click("text=Book this shift")
    phone.wait_for_selector("text=You are booked.")
    save_artifact(phone, "shift-booked-phone")

    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in_browser(page, running.url, "shift-lead@example.org")
    page.goto(f"{running.url}/organiser/campaigns/{campaign}/dashboard")
    page.wait_for_selector("#connection[data-state=live]")
    assert page.text_content('#shift-roll [data-roll="booked"]') == "1"
    assert page.text_content('#shift-roll [data-roll="present"]') == "0"

    time.sleep(max(0.0, (starts - bank.clock.now()).total_seconds()) + 0.5)
    # This stack's worker runs no RQ scheduler, so the shift's own job never fires here: a worker's
    # periodic check calls the booking in, as it would after Redis lost the job.
    assert shifts.call_in_due(bank) == 1
    phone.wait_for_selector("#shift-notice:visible")
    assert "we are ringing your phone now" in (phone.text_content("#shift-notice") or "")
    save_artifact(phone, "shift-started-phone")

    page.wait_for_function(
        "() => document.querySelector('#shift-roll [data-roll=\"present\"]').textContent === '1'",
        timeout=20_000,
    )
    assert "Priya: present" in (page.text_content('#shift-roll [data-roll="volunteers"]') or "")
    assert "not started" not in (page.text_content('#shift-roll [data-roll="when"]') or "")
    save_artifact(page, "shift-roll-dashboard")
    assert shifts.call_in_due(bank) == 0 and shifts.call_in_due(bank, shift) == 0, "rung once"
    page.click("text=Shifts…")
    page.wait_for_selector("#publish-shift")
    save_artifact(page, "shift-organiser-page")
    phone.goto(f"{running.url}/call")
    assert phone.is_visible("text=Call where you're needed")
    save_artifact(phone, "call-where-needed-phone")
    phone_context.close()
