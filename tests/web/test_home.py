"""The front door says what the product is and reports each component's health."""

from dialer.ports import ProbeResult


def test_the_home_page_explains_the_product_and_links_onwards(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "marginal constituencies nearest to you" in html
    assert 'href="/marginals"' in html
    assert 'href="/organiser"' in html


def test_healthz_reports_every_component(client, app):
    services = app.extensions["marginal"]
    services.extra_probes["telephony"] = lambda: ProbeResult(True, "fake")
    services.extra_probes["workers"] = lambda: ProbeResult(True, "fake")
    reply = client.get("/healthz")
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"database", "redis", "workers", "telephony"}
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]


def test_healthz_is_503_and_says_which_component_failed(client, app):
    services = app.extensions["marginal"]
    services.extra_probes["telephony"] = lambda: ProbeResult(True, "fake")
    services.extra_probes["workers"] = lambda: ProbeResult(False, "no worker seen in the last 30 s")
    reply = client.get("/healthz")
    assert reply.status_code == 503
    assert reply.get_json()["checks"]["workers"] == {"ok": False, "detail": "no worker seen in the last 30 s"}


def test_browser_libraries_are_served_from_node_modules(client):
    from web.vendor import FILES, NODE_MODULES

    with client.get("/vendor/socket.io.min.js") as reply:
        assert reply.status_code == 200
        assert reply.get_data() == (NODE_MODULES / FILES["socket.io.min.js"]).read_bytes()
    assert client.get("/vendor/anything-else.js").status_code == 404
