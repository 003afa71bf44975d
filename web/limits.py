"""Rate limits on the doors attackers push at: sign-in, sign-up and password resets.

Counted in Redis by Flask-Limiter (`web.extensions.limiter`), so every web process shares them.
Sign-in counts only wrong passwords: 20 in a minute from one client, or against one account, and
further attempts are refused with 429 until the minute has passed, even with the right password.

Sign-in does not let Flask-Limiter count after the fact (parallel requests would all pass the check
before any of them was counted): each attempt reserves a slot with an atomic increment before its
password is checked, and a successful sign-in gives its slot back, so parallel guesses never get more
than the limit of password checks and an office's own successful sign-ins never lock it out.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from dialer.domain.accounts import normalise_email
from web.extensions import limiter

SIGN_IN_FAILURES = "20 per minute"
SIGN_UP = "20 per minute;200 per day"
RESET_REQUESTS_PER_CLIENT = "5 per minute;30 per hour"
RESET_REQUESTS_PER_ACCOUNT = "3 per hour"
RESET_ATTEMPTS = "10 per minute"

TOO_MANY_SIGN_INS = "Too many wrong passwords. Wait a minute, then try again (or reset your password)."
TOO_MANY_SIGN_UPS = "Too many sign-ups from your connection. Please try again later."
TOO_MANY_RESETS = "Too many password reset requests. Please wait a while before asking again."

_SIGN_IN_ATTEMPTS: RateLimitItem = parse(SIGN_IN_FAILURES)
_NAMESPACE = "marginal-limits/sign-in"


def client() -> str:
    return "client:" + (get_remote_address() or "unknown")


def submitted_account() -> str:
    """The account a form is about, by a keyed hash of its normalised e-mail address (never empty:
    limits need a key). Redis never holds the address itself, so an erased account leaves none behind."""
    email = normalise_email(request.form.get("email", ""))[:254]
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return "account:" + hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


class SignInSlots:
    """The slots one sign-in attempt holds (from its client and from its account) until it is over."""

    def __init__(self, identities: tuple[str, ...]) -> None:
        self._identities = identities

    def give_back(self) -> None:
        """The attempt succeeded (or never checked a password): it does not count against anyone."""
        storage = limiter.limiter.storage
        expiry = _SIGN_IN_ATTEMPTS.get_expiry()
        for identity in self._identities:
            key = _SIGN_IN_ATTEMPTS.key_for(_NAMESPACE, identity)
            if storage.get(key) > 0:  # a window that has ended is not given a spare slot
                storage.incr(key, expiry, amount=-1)


def reserve_sign_in() -> SignInSlots | None:
    """Take a slot from this client's and this account's minute, or None (and nothing held) if either
    is used up. Every caller either signs in and gives the slots back, or keeps them as its failure."""
    taken: list[str] = []
    for identity in (client(), submitted_account()):
        taken.append(identity)
        if not limiter.limiter.hit(_SIGN_IN_ATTEMPTS, _NAMESPACE, identity):
            SignInSlots(tuple(taken)).give_back()
            return None
    return SignInSlots(tuple(taken))


def sign_in_retry_after() -> int:
    """Seconds until this client's or this account's window of sign-in attempts ends."""
    stats = [
        limiter.limiter.get_window_stats(_SIGN_IN_ATTEMPTS, _NAMESPACE, identity)
        for identity in (client(), submitted_account())
    ]
    latest = max((stat.reset_time for stat in stats if stat.remaining == 0), default=time.time())
    return max(1, int(latest - time.time()) + 1)
