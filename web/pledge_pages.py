"""The public pledge page: anyone can make a campaign's pledge with a name and an email address;
a signed-in volunteer makes it with one press, as their account. Once made, the page offers the
campaign's polling-day knock-up slots near the pledger (web/knock_up_pages.py)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dialer.errors import InvalidInput
from dialer.services.mail import signup_mail
from dialer.services.signups import knock_up, pledge_page, pledges
from web import cascade_pages, knock_up_pages
from web.access import public
from web.extensions import limiter
from web.html_forms import HtmlForm, refuse
from web.identity import account_id
from web.services import services
from web.signup_forms import PublicPledgeForm
from web.signups import locate

bp = Blueprint("pledge_pages", __name__)


@bp.route("/pledge/<campaign_slug>/<pledge_slug>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def pledge(campaign_slug: str, pledge_slug: str) -> ResponseReturnValue:
    wired = services()
    signed_in = bool(current_user.is_authenticated)
    form = HtmlForm() if signed_in else PublicPledgeForm()
    if request.method == "POST" and form.validate():
        email = current_user.email if signed_in else form.email.data or ""
        try:
            made, new = pledge_page.make(
                wired.uow(),
                wired.clock,
                campaign_slug,
                pledge_slug,
                person_email=email,
                user_id=account_id() if signed_in else None,
                name="" if signed_in else form.name.data or "",
                email="" if signed_in else email,
                via=cascade_pages.via(),
            )
        except InvalidInput as error:
            refuse(form, error)
        else:
            if new:
                signup_mail.pledge_made(wired.mail, made)
            if not signed_in:
                cascade_pages.remember_pledger(email)
            flash("Thank you for pledging!" if new else "You had already pledged: thank you!", "success")
            return redirect(url_for(".pledge", campaign_slug=campaign_slug, pledge_slug=pledge_slug), 303)
    campaign_name, found = pledges.public_pledge(wired.uow(), campaign_slug, pledge_slug)
    # signed in: their account; otherwise the address that pledged in this visit, if any
    pledged = pledges.has_pledged(
        wired.uow(),
        found.id,
        account_id() if signed_in else None,
        email="" if signed_in else cascade_pages.pledger_email(),
    )
    status = 400 if form.errors else 200
    who = knock_up_pages.pledger()
    rota = (
        knock_up.rota_of_pledge(
            wired.uow(),
            found.id,
            now=wired.clock.now(),
            email=who.email,
            user_id=who.user_id,
            locate=locate(),
        )
        if who is not None and status == 200
        else None
    )
    return render_template(
        "signups/pledge.html",
        campaign_name=campaign_name,
        pledge=found,
        form=form,
        signed_in=signed_in,
        pledged=pledged,
        rota=rota if rota is not None and rota.pledged else None,
        # a refused form writes nothing, not even the pledger's first link
        own_link=cascade_pages.own_link("pledge", found.id)
        if status == 200 and (pledged or not signed_in)
        else None,
    ), status
