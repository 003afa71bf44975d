"""The front door: what Marginal is, where to go next, and whether it is healthy.

`/healthz` tells anyone only ok or not ok (a load balancer needs no more). Which component failed,
and why, goes to signed-in admins, to callers on this machine outside production, and to
`dialer health` on the server: account ids, internal addresses and exception text are a map for
an attacker.
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dialer.config import Mode
from dialer.services.accounts.volunteer_progress import volunteer_progress
from dialer.services.health import check_health
from dialer.services.signups import knock_up, pledges
from web.access import current_account, public
from web.identity import account_id
from web.services import services

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index() -> ResponseReturnValue:
    progress = None
    offered = []
    rotas: list[tuple[str, str]] = []
    if current_user.is_authenticated:  # a volunteer's own progress and badges, pledges and knock-up rotas
        bank = services().phone_bank
        progress = volunteer_progress(bank.uow(), current_user.id, now=bank.clock.now())
        offered = pledges.offered_to(services().uow(), account_id())
        rotas = knock_up.rotas_for_volunteer(services().uow(), account_id(), now=bank.clock.now())
    return render_template("home.html", progress=progress, pledges=offered, rotas=rotas)


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    report = check_health(services().probes())
    body = report.as_dict() if _may_see_details() else {"ok": report.ok}
    return jsonify(body), 200 if report.ok else 503


def _may_see_details() -> bool:
    account = current_account()
    if account is not None and account.is_admin:
        return True
    return services().settings.mode is not Mode.PRODUCTION and _from_this_machine()


def _from_this_machine() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
