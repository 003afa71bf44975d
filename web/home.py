"""The front door: what Marginal is, where to go next, and whether it is healthy."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue

from dialer.services.health import check_health
from web.access import public
from web.services import services

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index() -> ResponseReturnValue:
    return render_template("home.html")


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    report = check_health(services().probes())
    return jsonify(report.as_dict()), 200 if report.ok else 503
