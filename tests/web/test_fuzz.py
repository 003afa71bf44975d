"""A property-based fuzz run over every route's forms, JSON bodies, query strings and URL ids: no 500s.

Routes come from the app's URL map (so later routes are fuzzed without any change here); field
names come from the forms the app's own pages render, mixed with arbitrary ones. Requests carry a
valid CSRF token (otherwise every one would stop at the CSRF check) and come from a signed-in admin,
who can reach every route, except the account pages, which are fuzzed signed out. The number of
examples per route is bounded (MARGINAL_FUZZ_EXAMPLES, default 12) so it runs in CI.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.people import csrf_token, sign_in
from tests.web.route_examples import PARAMETERS, route_table

EXAMPLES = int(os.environ.get("MARGINAL_FUZZ_EXAMPLES", "12"))
ROUTES = route_table()
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_ACTION = re.compile(r'\baction="([^"]*)"')
_NAME = re.compile(r'\bname="([A-Za-z_][\w-]{0,40})"')


_fields: dict[tuple[str, str], set[str]] = {}


#: Endpoints that answer 503 by design in the fuzz world: health (no workers run here) and the
#: marginal look-ups (no election data is seeded here; tests/web/test_marginals_api.py fuzzes them
#: on the seeded database).
MAY_BE_UNAVAILABLE = frozenset({"home.healthz", "marginals.nearest", "marginals.page"})


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
