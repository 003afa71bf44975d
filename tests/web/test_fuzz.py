"""Property-based fuzz runs: no request makes the app fail, and no refused request writes anything.

Two runs, both over routes read from the app's URL map (so later routes are fuzzed without any
change here):

- Every route's forms, JSON bodies, query strings and URL ids, with arbitrary values and arbitrary
  field names mixed with those the app's own pages render, as a signed-in admin (who can reach every
  route; the account pages are fuzzed signed out). MARGINAL_FUZZ_EXAMPLES per route (default 6).
- Schema-aware: every JSON and form endpoint's known fields (its example's in
  tests/web/route_examples.py, MORE_FIELDS there, and the fields of the forms that post to it),
  starting from a valid request and giving one to three of them wrong types (objects, lists,
  booleans where an id or a kind belongs), out-of-range numbers (past 32 and 64 bits, Infinity,
  NaN), deep nesting, huge or odd Unicode text, as anonymous, volunteer, organiser and admin: no
  server error, and a refused request (4xx, or sent to sign in) leaves every domain table as it was.
  MARGINAL_SCHEMA_FUZZ_EXAMPLES per endpoint and caller (default 8).

Requests carry a valid CSRF token (otherwise every one would stop at the CSRF check). The example
counts are bounded so that this file and the authorization matrices run in under 3 minutes in CI.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.people import csrf_token, sign_in
from tests.suite_state import domain_snapshot
from tests.web import route_examples
from tests.web.route_examples import FUZZ_ARGUMENTS, MORE_FIELDS, PARAMETERS, Example, route_table

EXAMPLES = int(os.environ.get("MARGINAL_FUZZ_EXAMPLES", "6"))
ROUTES = route_table()
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_ACTION = re.compile(r'\baction="([^"]*)"')
_NAME = re.compile(r'\bname="([A-Za-z_][\w-]{0,40})"')


_fields: dict[tuple[str, str], set[str]] = {}


#: Endpoints that answer 503 by design in the fuzz world: health (no workers run here) and the
#: marginal look-ups (no election data is seeded here; tests/web/test_marginals_api.py fuzzes them
#: on the seeded database).
MAY_BE_UNAVAILABLE = frozenset({"home.healthz", "marginals.nearest", "marginals.page"})

#: Endpoints whose accepted request ends the caller's own session (or account): the schema-aware run
#: goes on through every endpoint as one caller, so they are left to their own tests
#: (tests/web/test_sessions_end.py, tests/web/test_volunteer_data_rights.py).
ENDS_THE_CALLERS_SESSION = frozenset({"auth.sign_out", "auth.sign_out_everywhere", "account_pages.erase"})


def fields_by_endpoint(app, services, world, admin) -> dict[tuple[str, str], set[str]]:
    """For each (endpoint, method) the forms on the app's own pages submit to, the field names they send.

    Read once per run, by opening every page as an admin.
    """
    from urllib.parse import urlsplit

    from flask import url_for

    if _fields:
        return _fields
    adapter = app.url_map.bind("localhost")
    for endpoint, method, _rule in ROUTES:
        if method != "GET":
            continue
        url_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        with app.test_request_context():
            page = url_for(endpoint, **{n: PARAMETERS[n](world, services) for n in url_rule.arguments})
        with admin.get(page) as reply:
            html = reply.get_data(as_text=True) if reply.mimetype == "text/html" else ""
        for attributes, body in _FORM.findall(html):
            action = _ACTION.search(attributes)
            form_method = "POST" if 'method="post"' in attributes.lower() else "GET"
            target = urlsplit(action.group(1) if action else page).path
            target_endpoint, _ = adapter.match(target, method=form_method)
            _fields.setdefault((target_endpoint, form_method), set()).update(
                set(_NAME.findall(body)) - {"csrf_token"}
            )
    return _fields


text = st.text(max_size=300) | st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "99999999999999999999",
        "null",
        "07700 900123",
        "<script>",
        "' OR 1=1 --",
        "\u0000",
        "é" * 5000,
    ]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


def fields(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Each known field left out or filled with anything, plus a few unknown ones."""
    known = st.fixed_dictionaries({name: st.none() | text | st.lists(text, max_size=3) for name in names})
    extra = st.dictionaries(st.text(min_size=1, max_size=20), text, max_size=2)
    return st.builds(lambda k, e: {**e, **{n: v for n, v in k.items() if v is not None}}, known, extra)


def requests(names: list[str], arguments: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "form": fields(names),
            "json": st.none() | json_values,
            "query": fields(names),
            "ids": st.fixed_dictionaries(
                {name: st.none() | st.integers(0, 2**31 - 1) | st.text(max_size=60) for name in arguments}
            ),
        }
    )


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {r}" for _, m, r in ROUTES])
def test_no_request_makes_the_app_fail(app, services, world, endpoint, method, rule):
    admin = app.test_client()
    sign_in(admin, world.emails["admin"])
    url_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    arguments = sorted(url_rule.arguments)
    known = fields_by_endpoint(app, services, world, admin).get((endpoint, method), set())
    names = sorted(known | {"q", "page", "next"})
    caller = app.test_client() if endpoint.startswith("auth.") else admin
    token = csrf_token(caller)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=requests(names, arguments))
    def fuzz(request: dict[str, Any]) -> None:
        from flask import url_for

        values = {}
        for name in arguments:
            chosen = request["ids"][name]
            values[name] = PARAMETERS[name](world, services) if chosen is None else chosen
        with app.test_request_context():
            try:
                url = url_for(endpoint, **values, **request["query"])
            except Exception:  # an id the URL cannot hold (e.g. text for an int): a 404 by construction
                return
        headers = {"X-CSRFToken": token}
        if method == "GET":
            reply = caller.get(url, headers=headers)
        elif request["json"] is not None:
            reply = caller.open(url, method=method, json=request["json"], headers=headers)
        else:
            reply = caller.open(
                url, method=method, data={**request["form"], "csrf_token": token}, headers=headers
            )
        reply.close()
        assert reply.status_code < 500 or (endpoint in MAY_BE_UNAVAILABLE and reply.status_code == 503), (
            f"{method} {url} answered {reply.status_code}"
        )

    fuzz()


# --- every known field, with values of the wrong kind, as every kind of caller ----------------

SCHEMA_EXAMPLES = int(os.environ.get("MARGINAL_SCHEMA_FUZZ_EXAMPLES", "8"))
#: The callers the schema-aware fuzz runs as (an organiser of another campaign is the matrix's).
FUZZ_AUDIENCES = ("anonymous", "volunteer", "organiser", "admin")


class Raw:
    """JSON text sent as it is (what json.dumps will not write: deep nesting, a lone surrogate)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text[:40]!r}{'...' if len(self.text) > 40 else ''})"


ODD_TEXT = [
    "",
    " ",
    "\u202eevil\u202c",  # right-to-left override
    "\u200b\u200d\ufeff",  # zero-width characters and a byte-order mark
    "e\u0301" * 2000,  # combining accents
    "\U0001f5f3\ufe0f" * 500,  # a ballot box with its variation selector
    "\uff21\uff22",  # full-width letters
    "x" * 100_000,
    "é" * 70_000,
    "=1+1",
    "<script>alert(1)</script>",
]
HOSTILE_JSON: list[Any] = [
    None,
    True,
    False,
    {},
    [],
    [[]],
    {"id": 1},
    [1, 2, 3],
    0,
    -1,
    0.5,
    2**31 - 1,
    2**31,
    2**63 - 1,
    2**63,
    2**64 + 1,
    -(2**63),
    10**30,
    float("inf"),
    float("-inf"),
    float("nan"),
    Raw("1e400"),
    Raw('"\\ud800"'),  # a lone surrogate
    Raw("[" * 50 + "]" * 50),
    Raw("[" * 20_000 + "]" * 20_000),
    Raw('{"a":' * 5_000 + "1" + "}" * 5_000),
    *ODD_TEXT,
]
HOSTILE_FORM: list[Any] = [
    "0",
    "-1",
    "2147483648",
    "9223372036854775808",
    "18446744073709551617",
    "99999999999999999999999999999999",
    "1e400",
    "Infinity",
    "NaN",
    "-0",
    "[]",
    "{}",
    ["1", "2"],  # the field sent twice
    *ODD_TEXT,
]


def json_text(body: Any) -> str:
    """The body as JSON text, with Raw values spliced in where they stand."""
    raws: list[str] = []

    def swap(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(value.text)
            return f"\x00raw{len(raws) - 1}\x00"
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        if isinstance(value, list):
            return [swap(item) for item in value]
        return value

    text = json.dumps(swap(body), allow_nan=True)
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x00raw{index}\x00"), raw)
    return text


def snapshot(services) -> dict[str, str]:
    return domain_snapshot(services.engine)


def schema_of(app, services, world, admin, endpoint: str, method: str) -> tuple[str, list[str]]:
    """("json" or "form", the endpoint's known fields): its example's, the forms', and MORE_FIELDS."""
    example = route_examples.EXAMPLES.get((endpoint, method), Example())
    body = example.body(world)
    names = set(MORE_FIELDS.get((endpoint, method), ()))
    if body is not None or (endpoint, method) in JSON_ENDPOINTS:
        return "json", sorted(names | set(body or {}))
    names |= set(example.form(world)) | fields_by_endpoint(app, services, world, admin).get(
        (endpoint, method), set()
    )
    return "form", sorted(names - {"file"})


#: JSON endpoints whose example sends no body.
JSON_ENDPOINTS = frozenset({("calling.act", "POST"), ("dashboard_pages.reconcile", "POST")})


def hostile_request(kind: str, names: list[str], arguments: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    values = st.sampled_from(HOSTILE_JSON if kind == "json" else HOSTILE_FORM)
    return st.fixed_dictionaries(
        {
            "fields": st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=3)
            if names
            else st.just({}),
            "dropped": st.lists(st.sampled_from(names), max_size=1) if names else st.just([]),
            "arguments": st.fixed_dictionaries(
                {name: st.sampled_from(FUZZ_ARGUMENTS[name]) for name in arguments if name in FUZZ_ARGUMENTS}
            ),
            "whole": st.none() | st.sampled_from(HOSTILE_JSON[:8]) if kind == "json" else st.none(),
        }
    )


@pytest.mark.parametrize("audience", FUZZ_AUDIENCES)
def test_no_known_field_with_a_wrong_value_makes_the_app_fail_or_a_refused_request_write(
    app, services, world, audience
):
    """Every JSON and form endpoint, each known field given wrong types, out-of-range numbers, deep
    nesting, huge or odd text: never a server error, and a refused request writes nothing."""
    admin = app.test_client()
    sign_in(admin, world.emails["admin"])
    caller = app.test_client()
    if audience != "anonymous":
        sign_in(caller, world.emails[audience])
    tried = 0
    for endpoint, method, _rule in ROUTES:
        if method == "GET" or endpoint in ENDS_THE_CALLERS_SESSION:
            continue
        kind, names = schema_of(app, services, world, admin, endpoint, method)
        tried += fuzz_endpoint(app, services, world, caller, audience, endpoint, method, kind, names)
    assert tried >= 20 * SCHEMA_EXAMPLES, f"only {tried} requests were sent"


def fuzz_endpoint(app, services, world, caller, audience, endpoint, method, kind, names) -> int:
    """Send SCHEMA_EXAMPLES hostile requests to one endpoint; returns how many were sent."""
    from flask import url_for

    token = csrf_token(caller)
    url_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    arguments = sorted(url_rule.arguments)
    example = route_examples.EXAMPLES.get((endpoint, method), Example())
    sent = 0

    @settings(
        max_examples=SCHEMA_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(request=hostile_request(kind, names, arguments))
    def fuzz(request: dict[str, Any]) -> None:
        nonlocal sent
        values = {name: PARAMETERS[name](world, services) for name in arguments}
        values.update(request["arguments"])
        with app.test_request_context():
            url = url_for(endpoint, **values)
        headers = {"X-CSRFToken": token}
        before = snapshot(services)
        if kind == "json":
            body = dict(example.body(world) or {})
            body.update(request["fields"])
            for name in request["dropped"]:
                body.pop(name, None)
            whole = body if request["whole"] is None else request["whole"]
            reply = caller.open(
                url, method=method, data=json_text(whole), content_type="application/json", headers=headers
            )
        else:
            form = {**example.form(world), **request["fields"], "csrf_token": token}
            for name in request["dropped"]:
                form.pop(name, None)
            reply = caller.open(url, method=method, data=form, headers=headers)
        reply.close()
        sent += 1
        where = f"{method} {url} as {audience} with {request!r}"[:600]
        assert reply.status_code < 500, f"{where}: {reply.status_code}"
        location = reply.headers.get("Location", "")
        refused = reply.status_code >= 400 or (reply.status_code == 302 and "/sign-in" in location)
        if refused:
            after = snapshot(services)
            assert before == after, f"{where} was refused ({reply.status_code}) but changed " + str(
                [name for name in before if before[name] != after[name]]
            )

    fuzz()
    return sent
