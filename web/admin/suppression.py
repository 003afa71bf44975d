"""Admin: the do-not-call list shared by every campaign."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from dialer.errors import InvalidInput, NotFound
from dialer.services.compliance import suppression
from web.access import admin_only
from web.admin.forms import ConfirmForm, SuppressForm
from web.errors import sentence
from web.identity import actor
from web.services import services

bp = Blueprint("suppression", __name__, url_prefix="/admin/suppression")


def _page(form: SuppressForm, status: int = 200) -> ResponseReturnValue:
    search = request.args.get("q", "")[:40]
    search_error = ""
    try:
        listing = suppression.listing(services().uow(), search=search)
    except InvalidInput as exc:
        search_error = sentence(exc)
        listing = suppression.listing(services().uow())
    return (
        render_template(
            "admin/suppression.html",
            form=form,
            remove_form=ConfirmForm(),
            listing=listing,
            search=search,
            search_error=search_error,
            labels={reason.value: label for reason, label in suppression.REASON_LABELS.items()},
        ),
        status,
    )


@bp.get("")
@admin_only
def listing() -> ResponseReturnValue:
    return _page(SuppressForm())


@bp.post("")
@admin_only
def add() -> ResponseReturnValue:
    form = SuppressForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    svc = services()
    try:
        added = suppression.add(
            svc.uow(), svc.clock, actor(), form.phone.data, form.reason.data, form.source.data
        )
    except InvalidInput as exc:
        form.phone.errors.append(sentence(exc))
        return _page(form, 400)
    flash(
        "Number added: no campaign will call it again." if added else "That number was already on the list.",
        "success",
    )
    return redirect(url_for("suppression.listing"), 303)


@bp.post("/<int:entry_id>/remove")
@admin_only
def remove(entry_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("suppression.listing"), 303)
    svc = services()
    try:
        suppression.remove(svc.uow(), svc.clock, actor(), entry_id)
    except NotFound as exc:
        flash(sentence(exc), "error")
    else:
        flash("Number removed from the list: campaigns may call it again.", "success")
    return redirect(url_for("suppression.listing"), 303)
