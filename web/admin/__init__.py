"""The admin area: the do-not-call list, data-protection requests, organisers and the audit log."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask.typing import ResponseReturnValue

from web.access import admin_only

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@admin_only
def index() -> ResponseReturnValue:
    return render_template("admin/index.html")


def register(app: Flask) -> None:
    from web.admin import audit_log, people, suppression, voters

    app.register_blueprint(bp)
    for module in (suppression, voters, people, audit_log):
        app.register_blueprint(module.bp)
