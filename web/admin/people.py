"""Admin: who organises which campaign, and who is an admin."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from dialer.domain.roles import Role
from dialer.errors import InvalidInput, NotFound
from dialer.services.accounts import accounts, roles
from web.access import admin_only
from web.admin.forms import ConfirmForm, GrantForm, RoleForm
from web.errors import sentence
from web.identity import actor, close_sockets
from web.services import services

bp = Blueprint("people", __name__, url_prefix="/admin/people")


@bp.get("")
@admin_only
def listing() -> ResponseReturnValue:
    query = request.args.get("q", "")[:80]
    page = roles.people(services().uow(), query=query)
    grant = GrantForm().offer(page.campaigns)
    return render_template(
        "admin/people.html",
        page=page,
        query=query,
        grant_form=grant,
        role_form=RoleForm(),
        revoke_form=ConfirmForm(),
    )


def _back() -> ResponseReturnValue:
    return redirect(url_for("people.listing", q=request.args.get("q") or None), 303)


@bp.post("/<int:user_id>/organiser")
@admin_only
def grant(user_id: int) -> ResponseReturnValue:
    form = GrantForm().offer(roles.campaigns(services().uow()))
    if not form.validate_on_submit():
        flash("Choose one of the campaigns.", "error")
        return _back()
    svc = services()
    try:
        roles.grant_organiser(svc.uow(), svc.clock, actor(), user_id, form.campaign_id.data)
    except NotFound as exc:
        flash(sentence(exc), "error")
    else:
        flash("They can now run that campaign.", "success")
    return _back()


@bp.post("/<int:user_id>/any-phone")
@admin_only
def any_phone(user_id: int) -> ResponseReturnValue:
    """Allow (or stop allowing) "call my phone" to ring a number outside UK landlines and mobiles."""
    if ConfirmForm().validate_on_submit():
        svc = services()
        allowed = request.form.get("allowed") == "yes"
        try:
            roles.allow_any_phone(svc.uow(), svc.clock, actor(), user_id, allowed)
        except NotFound as exc:
            flash(sentence(exc), "error")
        else:
            flash(
                "They may now give any number." if allowed else "Only UK landlines and mobiles again.",
                "success",
            )
    return _back()


@bp.post("/<int:user_id>/organiser/<int:campaign_id>/revoke")
@admin_only
def revoke(user_id: int, campaign_id: int) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        svc = services()
        try:
            roles.revoke_organiser(svc.uow(), svc.clock, actor(), user_id, campaign_id)
        except NotFound as exc:
            flash(sentence(exc), "error")
        else:
            flash("They no longer run that campaign.", "success")
    return _back()


@bp.post("/<int:user_id>/role")
@admin_only
def set_role(user_id: int) -> ResponseReturnValue:
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the roles.", "error")
        return _back()
    svc = services()
    try:
        roles.set_role(svc.uow(), svc.clock, actor(), user_id, Role(form.role.data))
    except (InvalidInput, NotFound) as exc:
        flash(sentence(exc), "error")
    else:
        flash("Role changed.", "success")
    return _back()


@bp.post("/<int:user_id>/end-sessions")
@admin_only
def end_sessions(user_id: int) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        svc = services()
        try:
            ended = accounts.end_sessions(svc.uow(), svc.clock, actor(), user_id)
        except NotFound as exc:
            flash(sentence(exc), "error")
        else:
            close_sockets(user_id)
            flash(f"Signed out everywhere: {ended} session{'' if ended == 1 else 's'} ended.", "success")
    return _back()
