"""Admin: data-protection requests about a voter (find, view, export, erase), every step audited."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from dialer.services.data_protection import data_protection
from web.access import admin_only
from web.admin.forms import ConfirmForm, EraseForm
from web.identity import actor
from web.services import services

bp = Blueprint("data_protection", __name__, url_prefix="/admin/voters")


@bp.get("")
@admin_only
def search() -> ResponseReturnValue:
    query = request.args.get("q", "")[:80]
    matches = data_protection.find_voters(services().uow(), query) if query else []
    return render_template("admin/voters.html", query=query, matches=matches)


@bp.get("/<int:voter_id>")
@admin_only
def voter(voter_id: int) -> ResponseReturnValue:
    return _voter_page(voter_id, EraseForm())


def _voter_page(voter_id: int, erase_form: EraseForm, status: int = 200) -> ResponseReturnValue:
    svc = services()
    records = data_protection.view_voter(svc.uow(), svc.clock, actor(), voter_id)
    return (
        render_template(
            "admin/voter.html",
            voter_id=voter_id,
            records=records,
            export_form=ConfirmForm(),
            erase_form=erase_form,
        ),
        status,
    )


@bp.post("/<int:voter_id>/export")
@admin_only
def export(voter_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("data_protection.voter", voter_id=voter_id), 303)
    svc = services()
    document = data_protection.export_voter(svc.uow(), svc.clock, actor(), voter_id)
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False, default=str),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="voter-{voter_id}-export.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/<int:voter_id>/erase")
@admin_only
def erase(voter_id: int) -> ResponseReturnValue:
    form = EraseForm()
    if not form.validate_on_submit():
        return _voter_page(voter_id, form, 400)
    svc = services()
    receipt = data_protection.erase_voter(
        svc.uow(), svc.clock, actor(), voter_id, number_key=svc.number_key, queue=svc.phone_bank.queue
    )
    flash(
        f"Erased {receipt.records} record(s): names, numbers, addresses and {receipt.answers_deleted} survey "
        "answer(s) are gone; their calls and outcomes remain as anonymous counts.",
        "success",
    )
    return redirect(url_for("data_protection.voter", voter_id=voter_id), 303)
