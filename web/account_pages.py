"""A volunteer's own account page: what we hold about them, a download of all of it, and erasure.

Both are POSTs (Flask-WTF, CSRF-checked) and both are audited; erasing signs the volunteer out.
See dialer/services/volunteer_data.py for what an erasure changes.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import BooleanField
from wtforms.validators import DataRequired

from dialer.errors import Conflict
from dialer.services import volunteer_data
from web.access import signed_in
from web.html_forms import HtmlForm
from web.identity import account_id, actor, close_sockets, end_session
from web.services import services

bp = Blueprint("account_pages", __name__)


class DownloadForm(HtmlForm):
    """Only a CSRF token: the download is a POST, so another site cannot make it happen."""


class EraseAccountForm(HtmlForm):
    confirm = BooleanField(
        "I understand that my account and my name are erased for good and that I will be signed out",
        validators=[DataRequired("Tick the box to confirm.")],
    )


@bp.get("/account")
@signed_in
def account() -> ResponseReturnValue:
    return _page(EraseAccountForm(formdata=None))


def _page(erase_form: EraseAccountForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "auth/account.html", user=current_user, download_form=DownloadForm(), erase_form=erase_form
    ), status


@bp.post("/account/export")
@signed_in
def export() -> ResponseReturnValue:
    if not DownloadForm().validate():
        return redirect(url_for(".account"), 303)
    wired = services()
    document = volunteer_data.export_account(wired.uow(), wired.clock, actor())
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False, default=str),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="marginal-account-{account_id()}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/account/erase")
@signed_in
def erase() -> ResponseReturnValue:
    form = EraseAccountForm()
    if not form.validate():
        return _page(form, 400)
    wired = services()
    me = account_id()
    try:
        volunteer_data.erase_account(wired.uow, wired.clock, actor())
    except Conflict as exc:
        form.form_errors.append(str(exc)[:1].upper() + str(exc)[1:] + ".")
        return _page(form, 409)
    close_sockets(me)  # every device's: the erasure ended all the account's sessions
    end_session()
    flash("Your account is erased and you are signed out. Thank you for all you did.", "success")
    return redirect(url_for("home.index"), 303)
