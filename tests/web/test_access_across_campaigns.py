"""The authorization matrix across two campaigns: one campaign's ids under the other's URLs change nothing.

Two campaigns live side by side, each with its organiser and one of everything (tests/people.py:
`build_world` and `add_other_campaign_life`). For every route and Socket.IO event, as every kind of
caller, in both directions:

- mixed: the URL and body of one campaign's call with one of its ids swapped for the other
  campaign's (each URL id and each body field in turn). No caller may change anything with it, not even
  an admin: a use case checks that every id belongs to the same campaign before it writes.
- foreign: the other campaign's whole call. The organiser of the first campaign is refused, and a
  refused caller changed nothing.

"Nothing changed" is judged by the domain tables (every table but the audit log, which records
refusals and views), read before and after each request, not by the status code.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tests.people import AUDIENCES, World, add_other_campaign_life, build_world, csrf_token, sign_in
from tests.suite_state import domain_snapshot, empty_tables
from tests.web.route_examples import (
    EXAMPLES,
    PARAMETERS,
    SOCKET_EXAMPLES,
    Example,
    SocketExample,
    route_table,
)
from web.access import policy_of, socket_handlers
from web.extensions import socketio

#: URL arguments that do not name a campaign's record (accounts, the do-not-call list, choices).
NOT_CAMPAIGN_RECORDS = frozenset(
    {"user_id", "entry_id", "token", "name", "action", "answer", "state", "kind", "change", "decision"}
)

ROUTES = route_table()


@dataclass
class Worlds:
    first: World  # the organiser's campaign
    second: World  # the other organiser's campaign, seen from its organiser


def build_worlds(services) -> Worlds:
    empty_tables(services.engine)
    services.redis.flushdb()
    first = build_world(services)
    return Worlds(first, add_other_campaign_life(services, first))


def snapshot(services) -> dict[str, str]:
    return domain_snapshot(services.engine)


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def comparable(data: Any) -> Any:
    """A body with its file uploads replaced by their names, so two worlds' bodies can be compared."""
    if isinstance(data, dict):
        return {key: comparable(value) for key, value in data.items()}
    if isinstance(data, tuple) and data and isinstance(data[0], io.IOBase):
        return ("file", data[1:])
    return data


@dataclass(frozen=True)
class Call:
    kind: str  # "mixed" or "foreign"
    home: str  # "first" or "second": whose campaign the URL (or the whole call) is anchored in
    swapped: str  # what came from the other campaign
    arguments: dict[str, Any]
    body_from: World  # the world whose example body is sent (made afresh for each request: files)
    field_from: World | None = None  # ... with this world's value of `swapped`, a body field


def body_of(example: Example, world: World) -> dict[str, Any]:
    return example.body(world) or example.form(world)


def calls(app, services, endpoint: str, method: str, example: Example, worlds: Worlds) -> Iterator[Call]:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    for home_name, home, away in (
        ("first", worlds.first, worlds.second),
        ("second", worlds.second, worlds.first),
    ):
        mine = {name: PARAMETERS[name](home, services) for name in rule.arguments}
        theirs = {
            name: mine[name] if name in NOT_CAMPAIGN_RECORDS else PARAMETERS[name](away, services)
            for name in rule.arguments
        }
        scoped = [name for name in sorted(rule.arguments) if mine[name] != theirs[name]]
        body_home, body_away = comparable(body_of(example, home)), comparable(body_of(example, away))
        fields = sorted(key for key in body_home if body_home[key] != body_away.get(key))
        if len(scoped) + len(fields) >= 2:
            for name in scoped:
                yield Call("mixed", home_name, name, {**mine, name: theirs[name]}, home)
            for name in fields:
                yield Call("mixed", home_name, name, mine, home, field_from=away)
        if scoped or fields:
            yield Call("foreign", home_name, "everything", theirs, away)


def send(app, client, token: str, method: str, call: Call, endpoint: str, example: Example):
    from flask import url_for

    with app.test_request_context():
        url = url_for(endpoint, **call.arguments)
    headers = {"X-CSRFToken": token, "Accept": "text/html"}
    body = example.body(call.body_from)
    data = body if body is not None else example.form(call.body_from)
    if call.field_from is not None:
        data = {**data, call.swapped: body_of(example, call.field_from)[call.swapped]}
    if method == "GET":
        reply = client.get(url, headers=headers)
    elif body is not None:
        reply = client.open(url, method=method, json=data, headers=headers)
    else:
        reply = client.open(url, method=method, data={**data, "csrf_token": token}, headers=headers)
    reply.close()
    return url, reply


def refused(reply) -> bool:
    status: int = reply.status_code
    if status == 302:
        return bool(urlsplit(reply.headers.get("Location", "")).path == "/sign-in")
    return status >= 400


#: The organiser each direction's URLs belong to, and who is a stranger to them.
HOME_ORGANISER = {"first": "organiser", "second": "other_organiser"}


def test_no_caller_changes_one_campaign_through_the_others_ids(app, services):
    """Every route in one run (both campaigns are built again only after an allowed change)."""
    worlds = build_worlds(services)
    clients: dict[str, tuple[Any, str]] = {}  # by audience: a signed-in client and its CSRF token
    tried = 0
    for endpoint, method, _rule in ROUTES:
        policy = policy_of(app.view_functions[endpoint])
        assert policy is not None, f"{endpoint} declares no access policy"
        example = EXAMPLES.get((endpoint, method), Example())
        planned = list(calls(app, services, endpoint, method, example, worlds))
        for index in range(len(planned)):
            for audience in AUDIENCES:
                call = planned[index]
                if audience not in clients:
                    client = app.test_client()
                    if audience != "anonymous":
                        sign_in(client, worlds.first.emails[audience])
                    clients[audience] = (client, csrf_token(client))
                before = snapshot(services)
                url, reply = send(app, *clients[audience], method, call, endpoint, example)
                after = snapshot(services)
                tried += 1
                where = f"{method} {url} ({call.kind}, {call.swapped} from the other campaign) as {audience}"
                assert reply.status_code < 500 or reply.status_code in _ok(example), (
                    f"{where}: {reply.status_code}"
                )
                if call.kind == "mixed":
                    assert changed(before, after) == [], f"{where} changed {changed(before, after)}"
                    continue
                if policy.name == "organiser_of" and audience == HOME_ORGANISER[call.home]:
                    assert refused(reply), f"{where}: expected a refusal, got {reply.status_code}"
                if refused(reply):
                    assert changed(before, after) == [], (
                        f"{where} was refused but changed {changed(before, after)}"
                    )
                elif changed(before, after):
                    # an allowed change: both campaigns are built again, and the calls planned again
                    worlds, clients = build_worlds(services), {}
                    planned = list(calls(app, services, endpoint, method, example, worlds))
                elif method != "GET":
                    clients = {}  # allowed and wrote nothing, but it may have ended its caller's visit
    assert tried > 300, f"only {tried} requests were tried"


def _ok(example: Example) -> tuple[int, ...]:
    if example.ok is None:
        return ()
    return example.ok if isinstance(example.ok, tuple) else (example.ok,)


# --- Socket.IO --------------------------------------------------------------------------------


def test_no_socketio_event_lets_one_campaigns_caller_into_the_others_rooms(app, services):
    """Each event emitted with the other campaign's ids: the organiser (or seat holder) of one campaign
    is refused, and nothing changes."""
    handlers = socket_handlers(socketio.server)
    worlds = build_worlds(services)
    for (namespace, event), handler in sorted(handlers.items()):
        if event == "connect":
            continue
        policy = policy_of(handler)
        assert policy is not None
        example = SOCKET_EXAMPLES.get((namespace, event), SocketExample())
        for home_name, home, away in (
            ("first", worlds.first, worlds.second),
            ("second", worlds.second, worlds.first),
        ):
            for audience in AUDIENCES[1:]:
                browser = app.test_client()
                sign_in(browser, worlds.first.emails[audience])
                sock = socketio.test_client(
                    app, namespace=namespace, flask_test_client=browser, auth=example.auth(home)
                )
                before = snapshot(services)
                ack = sock.emit(event, example.data(away), namespace=namespace, callback=True)
                sock.disconnect(namespace=namespace)
                where = f"{namespace} {event} with the {home_name} campaign's caller and the other's ids, as {audience}"
                assert changed(before, snapshot(services)) == [], where
                if event == "join":  # a seat: the first campaign's volunteer holds only their own
                    stranger = audience != "volunteer" or away is worlds.second
                else:
                    stranger = policy.name == "organiser_of" and audience == HOME_ORGANISER[home_name]
                if stranger:
                    assert isinstance(ack, dict) and "error" in ack, (
                        f"{where}: expected a refusal, got {ack!r}"
                    )
