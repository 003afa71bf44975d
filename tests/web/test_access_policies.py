"""Every route and Socket.IO handler declares an access policy, and one that does not is refused."""

from __future__ import annotations

from flask import Blueprint
from flask_socketio import Namespace

from web.access import (
    admin_only,
    organiser_of,
    policy_of,
    signed_in,
    socket_handlers,
    socket_policy,
    undeclared_endpoints,
)
from web.extensions import socketio


def test_every_endpoint_of_the_app_declares_an_access_policy(app):
    assert undeclared_endpoints(app) == []


def test_every_socketio_handler_declares_an_access_policy(app):
    undeclared = [
        f"{namespace} {event}"
        for (namespace, event), handler in socket_handlers(socketio.server).items()
        if getattr(handler, "access_policy", None) is None
    ]
    assert undeclared == []


def test_a_route_without_a_policy_is_reported_and_refused(app, client):
    careless = Blueprint("careless", __name__)

    @careless.get("/careless")
    def forgot() -> str:
        return "secret"

    app.register_blueprint(careless)
    assert undeclared_endpoints(app) == ["careless.forgot"]
    reply = client.get("/careless")
    assert reply.status_code == 403
    assert "secret" not in reply.get_data(as_text=True)


def test_a_policy_declared_above_the_route_decorator_is_caught(app):
    backwards = Blueprint("backwards", __name__)

    @signed_in
    @backwards.get("/backwards")
    def view() -> str:
        return "registered without its policy"

    app.register_blueprint(backwards)
    assert "backwards.view" in undeclared_endpoints(app)


class Probe(Namespace):  # type: ignore[misc]
    """A namespace like the calling and dashboard ones will be."""

    @socket_policy(signed_in)
    def on_connect(self, auth=None):
        return None

    @socket_policy(organiser_of, arg="campaign_id")
    def on_totals(self, data):
        return {"campaign": data["campaign_id"], "calls": 12}

    @socket_policy(admin_only)
    def on_audit(self, data):
        return {"entries": 3}


def _socket(app, flask_client, **kwargs):
    socketio.on_namespace(Probe("/probe"))
    return socketio.test_client(app, namespace="/probe", flask_test_client=flask_client, **kwargs)


def test_socketio_connections_need_a_signed_in_account(app, client_as):
    anonymous = _socket(app, client_as("anonymous"))
    assert not anonymous.is_connected("/probe")
    volunteer = _socket(app, client_as("volunteer"))
    assert volunteer.is_connected("/probe")


def test_socketio_events_check_the_campaign_in_their_payload(app, client_as, world):
    organiser = _socket(app, client_as("organiser"))
    own = organiser.emit("totals", {"campaign_id": world.campaign_id}, namespace="/probe", callback=True)
    assert own == {"campaign": world.campaign_id, "calls": 12}
    other = organiser.emit(
        "totals", {"campaign_id": world.other_campaign_id}, namespace="/probe", callback=True
    )
    assert other == {"error": "forbidden"}
    assert organiser.emit("totals", {}, namespace="/probe", callback=True) == {"error": "forbidden"}


def test_socketio_matrix_for_an_organiser_event(app, client_as, world):
    answers = {}
    for audience in ("volunteer", "other_organiser", "organiser", "admin"):
        sock = _socket(app, client_as(audience))
        answers[audience] = sock.emit(
            "totals", {"campaign_id": world.campaign_id}, namespace="/probe", callback=True
        )
    assert answers["volunteer"] == answers["other_organiser"] == {"error": "forbidden"}
    assert answers["organiser"]["calls"] == answers["admin"]["calls"] == 12


def test_socketio_admin_events_refuse_organisers(app, client_as):
    assert _socket(app, client_as("organiser")).emit("audit", {}, namespace="/probe", callback=True) == {
        "error": "forbidden"
    }
    assert _socket(app, client_as("admin")).emit("audit", {}, namespace="/probe", callback=True) == {
        "entries": 3
    }


def test_socket_handlers_are_found_for_the_coverage_check(app):
    socketio.on_namespace(Probe("/probe"))
    handlers = socket_handlers(socketio.server)
    assert {("/probe", "connect"), ("/probe", "totals"), ("/probe", "audit")} <= set(handlers)
    policy = policy_of(handlers[("/probe", "totals")])
    assert policy is not None and policy.describe() == "organiser_of(campaign_id)"


def test_twilio_webhooks_declare_their_policy_and_skip_csrf_for_the_voice_blueprint_to_check(app, client):
    """Twilio cannot send a CSRF token; the voice blueprint validates X-Twilio-Signature instead."""
    from web.access import twilio_webhook

    voice = Blueprint("voice_probe", __name__)

    @voice.post("/voice-probe/status")
    @twilio_webhook
    def status() -> tuple[str, int]:
        return "signature checked here", 204

    app.register_blueprint(voice)
    assert undeclared_endpoints(app) == []
    policy = policy_of(app.view_functions["voice_probe.status"])
    assert policy is not None and policy.name == "twilio_webhook"
    assert client.post("/voice-probe/status", data={"CallSid": "CA1"}).status_code == 204
    # every other POST still needs its token
    assert client.post("/sign-out").status_code == 400
