"""Signing up, in and out, and resetting a forgotten password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from dialer.config import Mode
from dialer.errors import InvalidInput
from dialer.services import accounts
from web import cascade_pages, limits
from web.access import current_account, public, signed_in
from web.account_forms import NewPasswordForm, ResetRequestForm, SignInForm, SignOutForm, SignUpForm
from web.errors import sentence, too_many_requests
from web.extensions import limiter
from web.identity import account_id, actor, close_sockets, end_session, forget_session, start_session
from web.services import services

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host, which would make sign-in an open redirect)."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for("home.index")
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        slots = limits.reserve_sign_in()
        if slots is None:
            return too_many_requests(limits.TOO_MANY_SIGN_INS, limits.sign_in_retry_after())
        svc = services()
        signed = accounts.authenticate(
            svc.uow(),
            svc.passwords,
            svc.clock,
            form.email.data,
            form.password.data,
            ip=request.remote_addr or "",
        )
        if signed is not None:
            slots.give_back()
            start_session(signed)
            flash(f"Welcome back, {signed.first_name}.", "success")
            return redirect(_safe_next(request.args.get("next")), 303)
        form.password.errors.append("That e-mail address and password do not match an account.")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/sign_in.html", form=form), status


@bp.route("/sign-up", methods=["GET", "POST"])
@public
@limiter.limit(
    limits.SIGN_UP, key_func=limits.client, methods=["POST"], error_message=limits.TOO_MANY_SIGN_UPS
)
def sign_up() -> ResponseReturnValue:
    form = SignUpForm()
    status = 200
    if form.validate_on_submit():
        svc = services()
        new = accounts.NewAccount(
            form.email.data,
            form.password.data,
            form.first_name.data,
            form.postcode.data,
            form.phone.data or "",
        )
        try:
            signed = accounts.sign_up(svc.uow(), svc.passwords, svc.clock, new, ip=request.remote_addr or "")
        except InvalidInput as exc:
            field = form.email if isinstance(exc, accounts.EmailTaken) else form.password
            field.errors.append(sentence(exc))
            status = 409 if isinstance(exc, accounts.EmailTaken) else 400
        else:
            cascade_pages.arrived(form.email.data)  # before the fresh session forgets the link
            start_session(signed)
            flash(f"Welcome to Marginal, {signed.first_name}. Your account is ready.", "success")
            return redirect(_safe_next(request.args.get("next")), 303)
    elif form.is_submitted():
        status = 400
    return render_template("auth/sign_up.html", form=form), status


@bp.post("/sign-out")
@public
def sign_out() -> ResponseReturnValue:
    form = SignOutForm()
    if form.validate_on_submit() and current_account() is not None:
        end_session()
        flash("You have signed out.", "success")
    return redirect(url_for("home.index"), 303)


@bp.post("/sign-out-everywhere")
@signed_in
def sign_out_everywhere() -> ResponseReturnValue:
    if SignOutForm().validate_on_submit():
        svc = services()
        ended = accounts.sign_out_everywhere(svc.uow(), svc.clock, actor(), account_id())
        close_sockets(account_id())
        forget_session()
        flash(
            f"You have signed out everywhere ({ended} session{'' if ended == 1 else 's'} ended).", "success"
        )
    return redirect(url_for("home.index"), 303)


@bp.route("/reset-password", methods=["GET", "POST"])
@public
@limiter.limit(
    limits.RESET_REQUESTS_PER_CLIENT,
    key_func=limits.client,
    methods=["POST"],
    error_message=limits.TOO_MANY_RESETS,
)
@limiter.limit(
    limits.RESET_REQUESTS_PER_ACCOUNT,
    key_func=limits.submitted_account,
    methods=["POST"],
    error_message=limits.TOO_MANY_RESETS,
)
def request_reset() -> ResponseReturnValue:
    form = ResetRequestForm()
    if form.validate_on_submit():
        svc = services()
        link = accounts.request_reset(
            svc.uow(), svc.clock, svc.settings.secret_key, form.email.data, ip=request.remote_addr or ""
        )
        if link is not None:
            _deliver(link)
        flash(
            "If an account uses that address, a link to choose a new password is on its way. "
            f"It works once, for {int(accounts.RESET_TOKEN_LIFETIME.total_seconds() // 60)} minutes.",
            "success",
        )
        return redirect(url_for("auth.sign_in"), 303)
    return render_template("auth/reset_request.html", form=form), 400 if form.is_submitted() else 200


def _deliver(link: accounts.ResetLink) -> None:
    """No mail transport yet: outside production the link goes to the log, for the demo and developers."""
    settings = services().settings
    url = settings.public_base_url + url_for("auth.reset_password", token=link.token)
    if settings.mode is Mode.PRODUCTION:
        current_app.logger.warning("password reset requested for account %s: no mail transport", link.user_id)
    else:
        current_app.logger.warning("password reset link for %s: %s", link.email, url)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(
    limits.RESET_ATTEMPTS, key_func=limits.client, methods=["POST"], error_message=limits.TOO_MANY_RESETS
)
def reset_password(token: str) -> ResponseReturnValue:
    svc = services()
    try:
        accounts.check_reset_token(svc.uow(), svc.clock, svc.settings.secret_key, token)
    except accounts.ResetLinkInvalid as exc:
        flash(sentence(exc), "error")
        return redirect(url_for("auth.request_reset"), 303)
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            signed = accounts.reset_password(
                svc.uow(),
                svc.passwords,
                svc.clock,
                svc.settings.secret_key,
                token,
                form.password.data,
                ip=request.remote_addr or "",
            )
        except InvalidInput as exc:
            form.password.errors.append(sentence(exc))
            status = 400
        else:
            close_sockets(signed.user_id)  # of the sessions the new password ended
            start_session(signed)
            flash("Your password has been changed and you are signed in.", "success")
            return redirect(url_for("home.index"), 303)
    elif form.is_submitted():
        status = 400
    return render_template("auth/reset_password.html", form=form), status
