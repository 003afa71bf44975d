"""The simulator's Flask app: Twilio's REST API, the /_sim/ control plane and the SimPhone socket."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_socketio import SocketIO
from werkzeug.exceptions import HTTPException

from dialer.simulator import (
    control,
    errors,
    rest,
    rest_account,
    rest_calls,
    rest_conferences,
    rest_messages,
    wire,
)
from dialer.simulator.errors import TwilioError
from dialer.simulator.simphone import SimPhones
from dialer.simulator.simulated_account import SimulatedAccount

#: The modules whose routes join the REST blueprint when imported.
ROUTES = (rest_calls, rest_conferences, rest_account, rest_messages)


def create_app(
    simulator: SimulatedAccount, *, cors_origins: list[str] | str = "*"
) -> tuple[Flask, SocketIO, SimPhones]:
    app = Flask(__name__)
    app.extensions["twilio_simulator"] = simulator
    app.json.compact = True  # type: ignore[attr-defined]
    app.register_blueprint(rest.bp)
    app.register_blueprint(control.bp)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        if not request.path.startswith(f"/{wire.API_VERSION}/"):
            return rest.reply({"error": error.description or error.name}, error.code or 500)
        if error.code == 405:
            failure = TwilioError(405, errors.METHOD_NOT_ALLOWED, f"Method {request.method} is not allowed")
        else:
            failure = errors.not_found(request.path)
        return rest.error_reply(failure)

    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins=cors_origins)
    phones = SimPhones(simulator, socketio)
    socketio.on_namespace(phones)
    return app, socketio, phones
