"""Access to the core's services from inside a request."""

from flask import current_app

from dialer.bootstrap import Services


def services() -> Services:
    return current_app.extensions["marginal"]  # type: ignore[no-any-return]
