"""A volunteer's own account page: their name, e-mail and phone number (the phone verified by a call
that asks for a 1, which is what "call my phone" then rings; only its owner ever sees it), a download
of everything held about them, and erasure.

Every change is a POST (Flask-WTF, CSRF-checked); the download and erasure are audited and erasing
signs the volunteer out. See dialer/services/data_protection/volunteer_data.py for what an erasure changes.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import BooleanField
from wtforms.validators import DataRequired

from dialer.errors import Conflict, InvalidInput
from dialer.services.accounts import phone_verification
from dialer.services.data_protection import volunteer_data
from web.access import signed_in
from web.account_forms import AccountForm, VerifyPhoneForm
from web.errors import sentence
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


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account() -> ResponseReturnValue:
    svc = services()
    form = AccountForm()
    if form.validate_on_submit():
        try:
            phone_changed = phone_verification.change_details(
                svc.uow(),
                svc.passwords,
                current_user.id,
                first_name=form.first_name.data or "",
                email=form.email.data or "",
                phone=form.phone.data or "",
                password=form.password.data or "",
            )
        except InvalidInput as exc:
            message = str(exc)
            field = (
                form.email
                if "another account" in message
                else form.phone
                if "ring" in message
                else form.password
            )
            field.errors.append(sentence(exc))
            return _page(form, EraseAccountForm(formdata=None), 400)
        flash(
            "Saved. Verify your new number so \u201ccall my phone\u201d can use it."
            if phone_changed and form.phone.data
            else "Saved.",
            "success",
        )
        return redirect(url_for(".account"), 303)
    if form.is_submitted():
        return _page(form, EraseAccountForm(formdata=None), 400)
    phone = phone_verification.account_phone(svc.uow(), current_user.id)
    form.first_name.data = current_user.first_name
    form.email.data = current_user.email
    form.phone.data = phone.national
    return _page(form, EraseAccountForm(formdata=None))


def _page(form: AccountForm, erase_form: EraseAccountForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "auth/account.html",
        user=current_user,
        form=form,
        phone=phone_verification.account_phone(services().uow(), current_user.id),
        verify=VerifyPhoneForm(),
        download_form=DownloadForm(),
        erase_form=erase_form,
    ), status


@bp.post("/account/phone/verify")
@signed_in
def verify_phone() -> ResponseReturnValue:
    if VerifyPhoneForm().validate_on_submit():
        svc = services()
        try:
            phone_verification.ring_to_verify(svc.phone_bank, current_user.id, svc.settings.twilio_caller_id)
        except (InvalidInput, Conflict) as exc:
            flash(sentence(exc), "error")
        else:
            flash("We are ringing your phone now: answer it and press 1.", "success")
    return redirect(url_for(".account"), 303)


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
    erase_form = EraseAccountForm()
    details = AccountForm(formdata=None)
    details.first_name.data = current_user.first_name
    details.email.data = current_user.email
    if not erase_form.validate():
        return _page(details, erase_form, 400)
    wired = services()
    me = account_id()
    try:
        volunteer_data.erase_account(wired.uow, wired.clock, actor())
    except Conflict as exc:
        erase_form.form_errors.append(str(exc)[:1].upper() + str(exc)[1:] + ".")
        return _page(details, erase_form, 409)
    close_sockets(me)  # every device's: the erasure ended all the account's sessions
    end_session()
    flash("Your account is erased and you are signed out. Thank you for all you did.", "success")
    return redirect(url_for("home.index"), 303)
