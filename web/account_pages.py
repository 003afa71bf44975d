"""The volunteer's own account page: name, e-mail and phone number, and verifying the phone by a
call that asks for a 1 (what "call my phone" then rings). Only its owner ever sees the number."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dialer.errors import Conflict, InvalidInput
from dialer.services import phone_verification
from web.access import signed_in
from web.account_forms import AccountForm, VerifyPhoneForm
from web.errors import sentence
from web.services import services

bp = Blueprint("account", __name__)


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account() -> ResponseReturnValue:
    svc = services()
    form = AccountForm()
    status = 200
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
            status = 400
        else:
            flash(
                "Saved. Verify your new number so \u201ccall my phone\u201d can use it."
                if phone_changed and form.phone.data
                else "Saved.",
                "success",
            )
            return redirect(url_for(".account"), 303)
    elif form.is_submitted():
        status = 400
    else:
        phone = phone_verification.account_phone(svc.uow(), current_user.id)
        form.first_name.data = current_user.first_name
        form.email.data = current_user.email
        form.phone.data = phone.national
    return render_template(
        "auth/account.html",
        form=form,
        phone=phone_verification.account_phone(svc.uow(), current_user.id),
        verify=VerifyPhoneForm(),
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
