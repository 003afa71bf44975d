"""The front door: what Marginal is, where to go next, and whether it is healthy."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dialer.services import pledges
from dialer.services.health import check_health
from web.access import public
from web.identity import account_id
from web.services import services

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index() -> ResponseReturnValue:
    offered = pledges.offered_to(services().uow(), account_id()) if current_user.is_authenticated else []
    return render_template("home.html", pledges=offered)


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    report = check_health(services().probes())
    return jsonify(report.as_dict()), 200 if report.ok else 503
