"""Rate limits on the doors attackers push at: sign-in, sign-up and password resets.

Counted in Redis by Flask-Limiter (`web.extensions.limiter`), so every web process shares them.
Sign-in counts only wrong passwords: 20 in a minute from one client, or against one account, and
further attempts are refused with 429 until the minute has passed, even with the right password.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Response, current_app, g, request
from flask_limiter.util import get_remote_address

from dialer.domain.accounts import normalise_email

SIGN_IN_FAILURES = "20 per minute"
SIGN_UP = "20 per minute;200 per day"
RESET_REQUESTS_PER_CLIENT = "5 per minute;30 per hour"
RESET_REQUESTS_PER_ACCOUNT = "3 per hour"
RESET_ATTEMPTS = "10 per minute"

TOO_MANY_SIGN_INS = "Too many wrong passwords. Wait a minute, then try again (or reset your password)."
TOO_MANY_SIGN_UPS = "Too many sign-ups from your connection. Please try again later."
TOO_MANY_RESETS = "Too many password reset requests. Please wait a while before asking again."


def client() -> str:
    return "client:" + (get_remote_address() or "unknown")


def submitted_account() -> str:
    """The account a form is about, by a keyed hash of its normalised e-mail address (never empty:
    limits need a key). Redis never holds the address itself, so an erased account leaves none behind."""
    email = normalise_email(request.form.get("email", ""))[:254]
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return "account:" + hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


def mark_failed_sign_in() -> None:
    g.sign_in_failed = True


def failed_sign_in(_response: Response) -> bool:
    return bool(g.get("sign_in_failed", False))
