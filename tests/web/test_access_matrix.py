"""The authorization matrix: every route, called as each kind of caller, gets exactly the allowed answer.

Anonymous callers are sent to sign in (401 under /api/), signed-in callers without the right get
403, allowed callers get the route's real answer (tests/web/route_examples.py). Routes added later
are picked up from the app's URL map; they only need a policy and, if their arguments or data are
new, an entry in route_examples.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.people import AUDIENCES, build_world, csrf_token, sign_in
from tests.suite_state import empty_tables
from tests.web.route_examples import (
    EXAMPLES,
    PARAMETERS,
    SOCKET_EXAMPLES,
    Example,
    SocketExample,
    route_table,
)
from web.access import BUILT_IN_PUBLIC, policy_of, socket_handlers
from web.extensions import socketio

ALLOWED, SIGN_IN, FORBIDDEN, UNSIGNED = "allowed", "sign in", "forbidden", "unsigned webhook"
SIGNED_IN_AUDIENCES = [a for a in AUDIENCES if a != "anonymous"]

#: What each policy lets each kind of caller do. Written out here, independently of web/access.py.
EXPECTED: dict[str, dict[str, str]] = {
    "public": dict.fromkeys(AUDIENCES, ALLOWED),
    "signed_in": {"anonymous": SIGN_IN, **dict.fromkeys(SIGNED_IN_AUDIENCES, ALLOWED)},
    "organiser": {
        "anonymous": SIGN_IN,
        "volunteer": FORBIDDEN,
        "other_organiser": ALLOWED,
        "organiser": ALLOWED,
        "admin": ALLOWED,
    },
    "organiser_of": {
        "anonymous": SIGN_IN,
        "volunteer": FORBIDDEN,
        "other_organiser": FORBIDDEN,
        "organiser": ALLOWED,
        "admin": ALLOWED,
    },
    "admin_only": {"anonymous": SIGN_IN, **dict.fromkeys(SIGNED_IN_AUDIENCES, FORBIDDEN), "admin": ALLOWED},
    # No session opens a webhook: without Twilio's signature every caller is refused.
    "twilio_webhook": dict.fromkeys(AUDIENCES, UNSIGNED),
}


ROUTES = route_table()


def test_every_route_the_app_serves_is_in_the_matrix(app):
    served = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in BUILT_IN_PUBLIC
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert served == {(endpoint, method) for endpoint, method, _ in ROUTES}, (
        "routes registered outside web.register_blueprints() escape the matrix: register them there"
    )


def reset_world(services):
    empty_tables(services.engine)
    services.redis.flushdb()
    return build_world(services)


def url_for_route(app, endpoint, world, services):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    missing = [name for name in rule.arguments if name not in PARAMETERS]
    assert not missing, (
        f"{endpoint}: add an example for {missing} to PARAMETERS in tests/web/route_examples.py"
    )
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{name: PARAMETERS[name](world, services) for name in rule.arguments})


def call(client, method, url, example: Example, world):
    token = csrf_token(client)
    headers = {"X-CSRFToken": token, "Accept": "text/html"}
    if method == "GET":
        return client.get(url, headers=headers)
    body = example.body(world)
    if body is not None:
        return client.open(url, method=method, json=body, headers=headers)
    return client.open(url, method=method, data={**example.form(world), "csrf_token": token}, headers=headers)


def outcome(reply, url) -> str:
    """What a reply means for the matrix: allowed, sent to sign in, or forbidden.

    Access refusals redirect with 302; views redirect after a POST with 303 (the reset-request form
    legitimately ends on the sign-in page).
    """
    location = reply.headers.get("Location", "")
    if reply.status_code == 302 and urlsplit(location).path == "/sign-in":
        return SIGN_IN
    if reply.status_code == 401:
        return SIGN_IN
    if reply.status_code == 403:
        return FORBIDDEN
    return ALLOWED


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {r}" for _, m, r in ROUTES])
def test_each_caller_gets_exactly_what_the_route_allows(app, services, endpoint, method, rule):
    policy = policy_of(app.view_functions[endpoint])
    assert policy is not None, f"{endpoint} declares no access policy (see web/access.py)"
    expected = EXPECTED[policy.name]
    example = EXAMPLES.get((endpoint, method), Example())
    world = reset_world(services)
    dirty = False
    for audience in AUDIENCES:
        if dirty:
            world, dirty = reset_world(services), False
        client = app.test_client()
        if audience != "anonymous":
            sign_in(client, world.emails[audience])
        url = url_for_route(app, endpoint, world, services)
        reply = call(client, method, url, example, world)
        reply.close()  # file responses (the vendor route) hold the file open until closed
        want = expected[audience]
        ok = (example.ok if isinstance(example.ok, tuple) else (example.ok,)) if example.ok else ()
        got = ALLOWED if reply.status_code in ok else outcome(reply, url)
        where = f"{method} {url} as {audience}"
        assert reply.status_code < 500 or reply.status_code in ok, f"{where}: {reply.status_code}"
        if audience in example.statuses:  # the rows decide (e.g. only the owner of a session)
            assert reply.status_code == example.statuses[audience], (
                f"{where}: expected {example.statuses[audience]}, got {reply.status_code}"
            )
            dirty = method != "GET" and reply.status_code < 400
            continue
        if want == UNSIGNED:
            assert reply.status_code == 403, (
                f"{where}: an unsigned webhook must be refused, got {reply.status_code}"
            )
            continue
        assert got == want, (
            f"{where}: expected {want}, got {reply.status_code} {reply.headers.get('Location', '')}"
        )
        if want == SIGN_IN:
            if url.startswith("/api/"):
                assert reply.status_code == 401, f"{where}: JSON endpoints answer 401"
            else:
                assert reply.status_code == 302, f"{where}: pages redirect to sign-in"
        if want == ALLOWED:
            if ok:
                assert reply.status_code in ok, f"{where}: expected {ok}, got {reply.status_code}"
            elif method == "GET":
                assert reply.status_code == 200, f"{where}: expected 200, got {reply.status_code}"
            else:
                assert 200 <= reply.status_code < 400, f"{where}: got {reply.status_code}"
            dirty = method != "GET"


def test_an_organiser_of_one_campaign_is_refused_every_other_campaign(app, services):
    """organiser_of reads the campaign from the URL: the same organiser, another campaign, 403."""
    from flask import Blueprint

    from web.access import organiser_of

    probe = Blueprint("probe", __name__)

    @probe.get("/probe/<int:campaign_id>")
    @organiser_of("campaign_id")
    def campaign(campaign_id: int):
        return {"campaign": campaign_id}

    app.register_blueprint(probe)
    world = reset_world(services)
    organiser = app.test_client()
    sign_in(organiser, world.emails["organiser"])
    assert organiser.get(f"/probe/{world.campaign_id}").status_code == 200
    assert organiser.get(f"/probe/{world.other_campaign_id}").status_code == 403
    assert organiser.get("/probe/2147483647").status_code == 403  # unknown campaigns are not revealed


# --- Socket.IO --------------------------------------------------------------------------------


def check_socket_matrix(app, services, handlers):
    """Connect to each namespace and emit each event as every kind of caller."""
    for (namespace, event), handler in sorted(handlers.items()):
        policy = policy_of(handler)
        assert policy is not None, f"{namespace} {event} declares no access policy"
        example = SOCKET_EXAMPLES.get((namespace, event), SocketExample())
        for audience in AUDIENCES:
            world = reset_world(services)
            browser = app.test_client()
            if audience != "anonymous":
                sign_in(browser, world.emails[audience])
            sock = socketio.test_client(
                app, namespace=namespace, flask_test_client=browser, auth=example.auth(world)
            )
            want = EXPECTED[policy.name][audience]
            where = f"{namespace} {event} as {audience}"
            if event == "connect":
                assert sock.is_connected(namespace) == (want == ALLOWED), f"{where}: expected {want}"
                continue
            if not sock.is_connected(namespace):
                continue  # refused at connect, which the connect handler's own row checks
            if audience in example.refused:
                want = FORBIDDEN
            ack = sock.emit(event, example.data(world), namespace=namespace, callback=True)
            refused = isinstance(ack, dict) and ack.get("error") in ("forbidden", "sign in first")
            assert refused == (want != ALLOWED), f"{where}: expected {want}, got {ack!r}"
            sock.disconnect(namespace=namespace)


def test_each_caller_gets_exactly_what_each_socketio_event_allows(app, services):
    handlers = socket_handlers(socketio.server)
    if not handlers:
        pytest.skip("no Socket.IO namespace is registered yet")
    check_socket_matrix(app, services, handlers)


def test_the_socketio_matrix_refuses_what_a_namespace_must_refuse(app, services):
    """The same check over a namespace with each kind of policy (the calling and dashboard ones come later)."""
    from tests.web.test_access_policies import Probe

    socketio.on_namespace(Probe("/probe"))
    check_socket_matrix(
        app, services, {k: v for k, v in socket_handlers(socketio.server).items() if k[0] == "/probe"}
    )
