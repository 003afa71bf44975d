"""The front door says what the product is and reports each component's health."""

import json

import pytest

from dialer.config import Mode
from dialer.domain.roles import Role
from dialer.ports import ProbeResult
from tests.people import add_account, sign_in

#: A client on another machine (the public internet, or a load balancer's health check).
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.5"}
SECRETS = ("AC" + "7" * 32, "http://10.1.2.3:5055", "ConnectionError")


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


@pytest.fixture
def failing_telephony(app):
    """Telephony that fails with the kind of detail an attacker would like to read."""
    services = app.extensions["marginal"]
    services.extra_probes["workers"] = lambda: ProbeResult(True, "fake")

    def broken() -> ProbeResult:
        raise ConnectionError(f"account {SECRETS[0]} at {SECRETS[1]} refused")

    services.extra_probes["telephony"] = broken
    return services


def test_the_public_health_check_says_only_ok_or_not_ok(client, failing_telephony):
    reply = client.get("/healthz", environ_base=ELSEWHERE)
    assert reply.status_code == 503
    assert reply.get_json() == {"ok": False}
    assert not any(secret in reply.get_data(as_text=True) for secret in SECRETS)


def test_a_signed_in_volunteer_gets_no_more_than_the_public(client, services, failing_telephony):
    add_account(services, "sam@example.org")
    sign_in(client, "sam@example.org")
    assert client.get("/healthz", environ_base=ELSEWHERE).get_json() == {"ok": False}


def test_an_admin_sees_which_component_failed_and_why(client, services, failing_telephony):
    add_account(services, "ada@example.org", role=Role.ADMIN)
    sign_in(client, "ada@example.org")
    body = client.get("/healthz", environ_base=ELSEWHERE).get_json()
    assert body["checks"]["telephony"] == {
        "ok": False,
        "detail": f"ConnectionError: account {SECRETS[0]} at {SECRETS[1]} refused",
    }


def test_in_production_a_caller_on_the_same_machine_gets_only_ok_or_not_ok(
    client, services, failing_telephony, monkeypatch
):
    # behind a proxy on the same machine every caller looks local, so production never trusts that
    monkeypatch.setattr(services, "settings", services.settings.model_copy(update={"mode": Mode.PRODUCTION}))
    assert client.get("/healthz").get_json() == {"ok": False}


def test_browser_libraries_are_served_from_node_modules(client):
    from web.vendor import FILES, NODE_MODULES

    with client.get("/vendor/socket.io.min.js") as reply:
        assert reply.status_code == 200
        assert reply.get_data() == (NODE_MODULES / FILES["socket.io.min.js"]).read_bytes()
    assert client.get("/vendor/anything-else.js").status_code == 404


def test_dialer_health_on_the_server_prints_every_components_detail(settings, clean_db):
    from click.testing import CliRunner

    from dialer.cli import main

    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "INSTANCE_PATH": str(settings.instance_path),
        "SIMULATOR_URL": "http://127.0.0.1:9",  # nothing listens: telephony is not ok
    }
    result = CliRunner().invoke(main, ["health"], env=env)
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert set(report["checks"]) == {"database", "redis", "workers", "telephony"}
    assert report["checks"]["database"]["ok"] and not report["checks"]["telephony"]["ok"]
    assert report["checks"]["telephony"]["detail"]
