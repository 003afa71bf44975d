"""The front door: what Marginal is, where to go next, and whether it is healthy."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dialer.services import pledges
from dialer.services.health import check_health
from dialer.services.volunteer_progress import volunteer_progress
from web.access import public
from web.identity import account_id
from web.services import services

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index() -> ResponseReturnValue:
    progress = None
    offered = []
    if current_user.is_authenticated:  # a volunteer's own progress and badges, and pledges to make
        bank = services().phone_bank
        progress = volunteer_progress(bank.uow(), current_user.id, now=bank.clock.now())
        offered = pledges.offered_to(services().uow(), account_id())
    return render_template("home.html", progress=progress, pledges=offered)


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    report = check_health(services().probes())
    return jsonify(report.as_dict()), 200 if report.ok else 503
