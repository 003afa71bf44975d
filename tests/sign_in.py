"""Signing a test client or a browser in as an account, through Flask-Login's own login_user.

The session is made exactly as a real sign-in makes it (including the "strong" session
protection's fingerprint of address and user agent), then handed over as the session cookie.
"""

from __future__ import annotations

from flask import session
from flask_login import login_user

from web.identity import load_account

TEST_CLIENT_AGENT = "marginal-tests"


def session_cookie(app, user_id: int, *, user_agent: str, remote_addr: str = "127.0.0.1") -> str:
    environ = {"REMOTE_ADDR": remote_addr, "HTTP_USER_AGENT": user_agent}
    with app.test_request_context("/", environ_base=environ):
        account = load_account(str(user_id))
        assert account is not None, f"no active account {user_id}"
        login_user(account)
        data = dict(session)
    return str(app.session_interface.get_signing_serializer(app).dumps(data))


def sign_in(app, client, user_id: int) -> None:
    """Sign the Flask test client in (every later request of this client is that account)."""
    client.environ_base["HTTP_USER_AGENT"] = TEST_CLIENT_AGENT
    cookie = session_cookie(app, user_id, user_agent=TEST_CLIENT_AGENT)
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)


def sign_in_browser(app, page, live_server, user_id: int) -> None:
    agent = page.evaluate("navigator.userAgent")
    cookie = session_cookie(app, user_id, user_agent=agent)
    page.context.add_cookies(
        [{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": live_server.url}]
    )
