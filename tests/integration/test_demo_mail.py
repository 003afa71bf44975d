"""`dialer demo` sends its e-mail to a mail server of its own, and the tester reads it on /mailbox."""

from __future__ import annotations

import re
import time

import pytest
import requests

from tests.demo_process import Demo

pytestmark = pytest.mark.integration

VOLUNTEER = "volunteer@demo.marginal.invalid"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert found, page[:2000]
    return found.group(1)


def test_a_password_reset_in_the_demo_arrives_in_its_mailbox_and_its_link_works(tmp_path):
    demo = Demo.start(tmp_path / "instance")
    try:
        demo.up()
        assert any(line.startswith("local mail server: 127.0.0.1:") for line in demo.out), demo.out
        browser = requests.Session()
        form = browser.get(f"{demo.url}/reset-password", timeout=10).text
        asked = browser.post(
            f"{demo.url}/reset-password",
            data={"email": VOLUNTEER, "csrf_token": _csrf(form)},
            timeout=10,
            allow_redirects=False,
        )
        assert asked.status_code == 303
        deadline = time.monotonic() + 60
        while "Choose a new password for Marginal" not in (
            inbox := browser.get(f"{demo.url}/mailbox", timeout=10).text
        ):
            assert time.monotonic() < deadline, "the demo's worker did not send the e-mail within 60 s"
            time.sleep(0.5)
        key = re.search(r'href="/mailbox/([^"/]+)"', inbox)
        assert key
        message = browser.get(f"{demo.url}/mailbox/{key.group(1)}", timeout=10).text
        link = re.search(r'<a href="(http://127\.0\.0\.1:\d+/reset-password/[^"]+)"', message)
        assert link, message
        assert "Choose a new password" in browser.get(link.group(1), timeout=10).text
    finally:
        demo.close()
