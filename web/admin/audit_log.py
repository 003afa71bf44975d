"""Admin: the audit log of sign-ins, record views, exports, erasures and role changes."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from dialer.services.compliance import audit
from web.access import admin_only
from web.services import services

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("")
@admin_only
def log() -> ResponseReturnValue:
    action = request.args.get("action", "")
    if action not in {a.value for a in audit.Action}:
        action = ""
    number = min(max(request.args.get("page", default=1, type=int), 1), 999_999)
    result = audit.recent(services().uow(), action=action, page=number)
    return render_template("admin/audit.html", result=result, action=action, actions=list(audit.Action))
