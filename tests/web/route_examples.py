"""How to call each endpoint in the authorization matrix and the fuzz run (data, not tests).

Every endpoint is called as each of AUDIENCES. A route needs an entry here only when the defaults do
not fit:

- URL arguments are filled in by name from PARAMETERS (add a line for a new argument name; the
  function gets the `World` from tests/people.py and the services, and returns a value that makes
  the route do its real work for the organiser of `world.campaign_id`).
- `EXAMPLES[(endpoint, method)]` gives form or JSON data and the exact status an allowed caller
  gets. Without an entry, an allowed GET must answer 200 and an allowed POST/PUT/PATCH/DELETE any
  2xx or 3xx that is not the sign-in page.

Refusals need no entry: they follow from the route's policy (tests/web/test_access_matrix.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from dialer.bootstrap import Services
from dialer.services import accounts
from tests.people import World
from web import register_blueprints
from web.access import BUILT_IN_PUBLIC
from web.converters import RecordId


def route_table() -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route the app registers, read from a bare app."""
    app = Flask("web")
    app.url_map.converters["int"] = RecordId
    register_blueprints(app)
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in BUILT_IN_PUBLIC
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    )


def _reset_token(world: World, services: Services) -> str:
    link = accounts.request_reset(
        services.uow(), services.clock, services.settings.secret_key, world.emails["volunteer"]
    )
    assert link is not None
    return link.token


PARAMETERS: dict[str, Callable[[World, Services], Any]] = {
    "campaign_id": lambda world, services: world.campaign_id,
    "voter_id": lambda world, services: world.voter_id,
    "entry_id": lambda world, services: world.suppression_id,
    "user_id": lambda world, services: world.accounts["volunteer"],
    "token": _reset_token,
    "name": lambda world, services: "socket.io.min.js",
}


@dataclass(frozen=True)
class Example:
    """A call that does the endpoint's real work when allowed."""

    data: dict[str, Any] | Callable[[World], dict[str, Any]] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    ok: int | tuple[int, ...] | None = None  # the exact status(es) an allowed caller gets

    def form(self, world: World) -> dict[str, Any]:
        return self.data(world) if callable(self.data) else dict(self.data)


EXAMPLES: dict[tuple[str, str], Example] = {
    ("home.healthz", "GET"): Example(ok=(200, 503)),  # 503 when no worker is running (none in tests)
    ("auth.sign_in", "POST"): Example(data={"email": "nobody@example.org", "password": "x"}, ok=401),
    ("auth.sign_up", "POST"): Example(
        data={
            "first_name": "Kim",
            "email": "kim@example.org",
            "postcode": "BS1 4DJ",
            "password": "a perfectly good passphrase",
        },
        ok=303,
    ),
    ("auth.sign_out", "POST"): Example(ok=303),
    ("auth.request_reset", "POST"): Example(data={"email": "nobody@example.org"}, ok=303),
    ("auth.reset_password", "POST"): Example(
        data={"password": "another good passphrase", "confirm": "another good passphrase"}, ok=303
    ),
    ("suppression.add", "POST"): Example(data={"phone": "07700 900111", "reason": "opt_out"}, ok=303),
    ("suppression.remove", "POST"): Example(ok=303),
    ("data_protection.export", "POST"): Example(ok=200),
    ("data_protection.erase", "POST"): Example(data={"confirm": "y"}, ok=303),
    ("people.grant", "POST"): Example(data=lambda world: {"campaign_id": world.campaign_id}, ok=303),
    ("people.revoke", "POST"): Example(ok=303),
    ("people.set_role", "POST"): Example(data={"role": "organiser"}, ok=303),
}


@dataclass(frozen=True)
class SocketExample:
    """What a Socket.IO client sends: the connect `auth` dict and the event's payload."""

    auth: Callable[[World], dict[str, Any]] = lambda world: {"campaign_id": world.campaign_id}
    data: Callable[[World], Any] = lambda world: {"campaign_id": world.campaign_id}


#: Per (namespace, event) when the default (the organiser's campaign id in both) does not fit.
SOCKET_EXAMPLES: dict[tuple[str, str], SocketExample] = {}
