"""Signing up, in and out, and resetting a forgotten password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from dialer.errors import InvalidInput
from dialer.services.accounts import accounts
from dialer.services.mail import mail, mail_messages, sign_up_confirmation
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
        base = svc.settings.public_base_url
        try:
            sign_up_confirmation.begin(
                svc.mail,
                svc.passwords,
                new,
                confirm_url=base
                + url_for("auth.finish_sign_up", sign_up_token="TOKEN").replace("TOKEN", "{token}"),
                sign_in_url=base + url_for("auth.sign_in"),
                reset_url=base + url_for("auth.request_reset"),
            )
        except InvalidInput as exc:
            field = form._fields.get(exc.field or "") or form.password
            field.errors.append(sentence(exc))
            status = 400
        else:
            # The same answer whether or not the address has an account (its owner learns by e-mail).
            return redirect(url_for("auth.sign_up_sent"), 303)
    elif form.is_submitted():
        status = 400
    return render_template("auth/sign_up.html", form=form), status


@bp.get("/sign-up/sent")
@public
def sign_up_sent() -> ResponseReturnValue:
    hours = int(sign_up_confirmation.CONFIRM_WITHIN.total_seconds() // 3600)
    return render_template("auth/sign_up_sent.html", hours=hours)


@bp.route("/sign-up/confirm/<sign_up_token>", methods=["GET", "POST"])
@public
@limiter.limit(
    limits.RESET_ATTEMPTS, key_func=limits.client, methods=["POST"], error_message=limits.TOO_MANY_SIGN_UPS
)
def finish_sign_up(sign_up_token: str) -> ResponseReturnValue:
    """A page with one button (a mail program that opens links to check them makes no account)."""
    svc = services()
    try:
        sign_up_confirmation.check(svc.mail, sign_up_token)
    except InvalidInput as exc:
        flash(sentence(exc), "error")
        return redirect(url_for("auth.sign_up"), 303)
    form = SignOutForm()  # only a CSRF token
    if form.validate_on_submit():
        try:
            signed = sign_up_confirmation.confirm(svc.mail, sign_up_token, ip=request.remote_addr or "")
        except InvalidInput as exc:
            flash(sentence(exc), "error")
            return redirect(url_for("auth.sign_in"), 303)
        cascade_pages.arrived(signed.email)  # before the fresh session forgets the link that brought them
        start_session(signed)
        flash(f"Welcome to Marginal, {signed.first_name}. Your account is ready.", "success")
        return redirect(url_for("home.index"), 303)
    return render_template("auth/sign_up_confirm.html", form=form)


@bp.post("/sign-out")
@public
def sign_out() -> ResponseReturnValue:
    form = SignOutForm()
    if form.validate_on_submit() and current_account() is not None:
        end_session()
        flash("You have signed out.", "success")
        return _forgetting_this_device(redirect(url_for("home.index"), 303))
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
        return _forgetting_this_device(redirect(url_for("home.index"), 303))
    return redirect(url_for("home.index"), 303)


def _forgetting_this_device(response: Response) -> Response:
    """Tell the browser to delete what this site keeps on the device: the doorstep's copies of walk
    lists (names and addresses), its service worker and its queue (doorstep.js warns about unsent
    visits before the form is sent)."""
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


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
    """E-mail the link (a worker sends it: the answer is the same, and as quick, for every address)."""
    wired = services()
    url = wired.settings.public_base_url + url_for("auth.reset_password", token=link.token)
    minutes = int(accounts.RESET_TOKEN_LIFETIME.total_seconds() // 60)
    mail.post(
        wired.mail,
        mail_messages.password_reset(
            to=link.email,
            first_name=link.first_name,
            url=url,
            minutes=minutes,
            base_url=wired.settings.public_base_url,
            user_id=link.user_id,
        ),
    )


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
