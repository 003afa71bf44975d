"""Signing up, out and in again in a real browser, under the Content-Security-Policy, with no violations."""

from __future__ import annotations

import re

from sqlmodel import select

from dialer.models import OutgoingMail
from tests.browser.conftest import save_artifact

REPORT_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def watch(page):
    errors: list[str] = []
    page.on(
        "console",
        # 4xx answers (a form with errors is a 400) are logged too; script errors are what matter
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.add_init_script(REPORT_VIOLATIONS)
    return errors


def _link_in_the_email_to(services, address: str) -> str:
    """The link in the e-mail the sign-up put in the outbox (tests/integration/test_mail.py sends one)."""
    with services.uow() as uow:
        (queued,) = uow.session.exec(select(OutgoingMail).where(OutgoingMail.to_address == address)).all()
    found = re.search(r"http://localhost(/sign-up/confirm/\S+)", queued.text)
    assert found, queued.text
    return found.group(1)


def test_a_volunteer_signs_up_signs_out_and_signs_in_again(page, live_server, services):
    errors = watch(page)
    page.goto(live_server.url + "/sign-up")
    page.fill("#first_name", "Priya")
    page.fill("#email", "priya@example.org")
    page.fill("#postcode", "bs1 4dj")
    page.fill("#password", "four unrelated words here")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:text('Check your e-mail')")
    save_artifact(page, "sign-up-sent")
    page.goto(live_server.url + _link_in_the_email_to(services, "priya@example.org"))
    page.click("button:text('Make my account')")
    page.wait_for_selector("text=Signed in as Priya")
    save_artifact(page, "signed-up")
    page.click("text=Sign out")
    page.wait_for_selector("text=You have signed out.")
    page.click("a:text('Sign in')")
    page.fill("#email", "priya@example.org")
    page.fill("#password", "wrong password here")
    page.click("button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    assert page.get_attribute("#password", "aria-invalid") == "true"
    page.fill("#password", "four unrelated words here")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Welcome back, Priya.")
    assert page.evaluate("window.__violations") == []
    assert not [e for e in errors if "Content Security Policy" in e]


def test_sign_up_errors_are_shown_next_to_each_field(page, live_server):
    errors = watch(page)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/sign-up")
    page.fill("#email", "not an address")
    page.click("button[type=submit]")
    assert page.locator("#first_name-error").inner_text() == "Enter your first name."
    assert page.locator("#email-error").is_visible() and page.locator("#postcode-error").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    save_artifact(page, "sign-up-errors-phone")
    assert page.evaluate("window.__violations") == []
    assert errors == []


def test_the_admin_pages_render_under_the_policy(page, live_server, world):
    from tests.people import PASSWORD

    errors = watch(page)
    page.goto(live_server.url + "/admin/suppression")
    assert "/sign-in" in page.url
    page.fill("#email", world.emails["admin"])
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:text('Do-not-call list')")
    page.fill("#phone", "07700 900 321")
    page.select_option("#reason", "tps")
    page.click("button:text('Add to the list')")
    page.wait_for_selector("text=Number added")
    assert page.locator("td", has_text="•••• 321").is_visible()
    save_artifact(page, "admin-suppression")
    for path in ("/admin", "/admin/people", "/admin/audit", f"/admin/voters/{world.voter_id}"):
        page.goto(live_server.url + path)
    assert page.evaluate("window.__violations") == []
    assert errors == []


def test_a_volunteer_erases_their_account_from_their_account_page_on_a_phone(page, live_server, services):
    from tests.people import add_account, sign_in_browser

    add_account(services, "zed@example.org", first_name="Zed")
    errors = watch(page)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_browser(page, live_server.url, "zed@example.org")
    page.click("a:text('Signed in as Zed')")
    page.wait_for_selector("h1:text('Your account')")
    page.click("button:text('Erase my account')")
    assert page.locator("#confirm-error").inner_text() == "Tick the box to confirm."
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    save_artifact(page, "account-erase-refused-phone")
    page.check("#confirm")
    page.click("button:text('Erase my account')")
    page.wait_for_selector("text=Your account is erased and you are signed out.")
    assert "Zed" not in page.inner_text("body")
    assert page.evaluate("window.__violations") == []
    assert errors == []
