"""Sharing pages: a link's open (`/s/<code>`), a sharer's own links and counts, the organiser's cascade.

Attribution travels in the link: an open sends the visitor on with `?via=<code>` and stores nothing
on their device, so what they do on that page is credited through the address alone. The page then
asks whether to remember the link for the rest of the visit (PECR: keeping it in a cookie is not
needed for what the visitor asked for, so it needs their yes); only with it is the code kept in the
session cookie (the site's own, first-party; no third-party tracking), so a sign-up, pledge or place
taken later in the visit is bound to the link and credited (dialer/services/signups/cascade.py). A
visitor who says no is credited to nobody for the rest of the visit.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dialer.services.signups import cascade, events, pledges
from web.access import organiser_of, public, signed_in
from web.html_forms import HtmlForm
from web.services import services

bp = Blueprint("cascade_pages", __name__)

_VIA = "cascade_via"  # the link that brought this visit, kept only when the visitor said yes
_VIA_REFUSED = "cascade_via_refused"  # the visitor said no: nothing in this visit is credited
_PLEDGER = "cascade_pledger"  # an e-mail address that pledged in this visit, to show them their link


@bp.get("/s/<code>")
@public
def open_link(code: str) -> ResponseReturnValue:
    wired = services()
    opened = cascade.resolve(wired.uow(), wired.share_opens, code)
    if opened is None:
        abort(404)
    cascade.record_open(wired.share_opens, opened.link_id, wired.clock.now())
    return redirect(f"{opened.path}?via={quote(code)}", 303)


@bp.post("/s/<code>/remember")
@public
def remember(code: str) -> ResponseReturnValue:
    """The visitor's answer to "count what you do on this visit for the person who shared the link?"."""
    form = HtmlForm()
    if not form.validate():
        abort(400)
    wired = services()
    opened = cascade.resolve(wired.uow(), wired.share_opens, code)
    if opened is None:
        abort(404)
    if request.form.get("remember") == "yes":
        session[_VIA] = code
        session.pop(_VIA_REFUSED, None)
        flash("Thank you: what you do on this visit counts for the person who shared the link.", "success")
        return redirect(f"{opened.path}?via={quote(code)}", 303)
    session.pop(_VIA, None)
    session[_VIA_REFUSED] = True
    flash("Nothing you do on this visit will be counted for anyone.", "success")
    return redirect(opened.path, 303)


@bp.get("/share")
@signed_in
def mine() -> ResponseReturnValue:
    wired = services()
    cascade.flush_opens(wired.uow(), wired.share_opens)
    for offer in pledges.offered_to(wired.uow(), current_user.id, limit=20):
        if offer.pledged:
            found = offer.url.removeprefix("/pledge/").split("/")
            _, summary = pledges.public_pledge(wired.uow(), found[0], found[1])
            own_link("pledge", summary.id)
    for event_id in events.places_of_volunteer(wired.uow(), current_user.id):
        own_link("event", event_id)
    counts = cascade.counts_of(wired.uow(), current_user.email)
    listed = any(counts_of_link.link.listed for counts_of_link in counts.links)
    return render_template("cascade/mine.html", counts=counts, listed=listed, form=HtmlForm())


@bp.post("/share/listed")
@signed_in
def listed() -> ResponseReturnValue:
    form = HtmlForm()
    if not form.validate():
        abort(400)
    shown = request.form.get("listed") == "yes"
    cascade.set_listed(services().uow(), current_user.email, shown)
    flash("You are listed among the top sharers." if shown else "You are no longer listed.", "success")
    return redirect(url_for(".mine"), 303)


@bp.get("/organiser/campaigns/<int:campaign_id>/cascade")
@organiser_of("campaign_id")
def organiser_view(campaign_id: int) -> ResponseReturnValue:
    wired = services()
    cascade.flush_opens(wired.uow(), wired.share_opens)
    view = cascade.cascade_of(wired.uow(), campaign_id)
    return render_template("cascade/organiser.html", view=view, campaign_id=campaign_id)


# --- used by the pages where people act through a link -----------------------------------------


def via() -> str | None:
    """The link that brought this visit: in the address, or kept with the visitor's yes; None after
    their no."""
    if session.get(_VIA_REFUSED):
        return None
    code = request.values.get("via") or session.get(_VIA)
    return str(code)[:16] if code else None


def to_ask_about() -> str | None:
    """The link this page was opened through, when the visitor has not yet said whether to remember it."""
    code = request.args.get("via")
    if not code or session.get(_VIA_REFUSED) or session.get(_VIA) == code:
        return None
    return code[:16]


def arrived(email: str) -> None:
    """A new account made during a visit a link brought: the link brings them (for 30 days)."""
    code = via()
    if code:
        wired = services()
        cascade.arrive(wired.uow(), wired.clock, email, code)


def credit(email: str, kind: str, subject_id: int) -> None:
    """Credit what this person just did to whoever's link brought them."""
    wired = services()
    cascade.convert(wired.uow(), wired.clock, person_email=email, kind=kind, subject_id=subject_id, via=via())


def remember_pledger(email: str) -> None:
    session[_PLEDGER] = email.strip().lower()


def pledger_email() -> str:
    """The address that pledged in this visit ("" if none did), kept in the session cookie."""
    return str(session.get(_PLEDGER) or "")


def own_link(kind: str, target_id: int) -> cascade.Link | None:
    """The signed-in volunteer's (or this visit's pledger's) own link to the target."""
    if current_user.is_authenticated:
        email, name = current_user.email, current_user.first_name
    elif session.get(_PLEDGER):
        email, name = str(session[_PLEDGER]), ""
    else:
        return None
    wired = services()
    return cascade.link_for(
        wired.uow(), wired.clock, owner_email=email, owner_name=name, kind=kind, target_id=target_id
    )


def share_url(link: cascade.Link) -> str:
    return services().settings.public_base_url.rstrip("/") + url_for(
        "cascade_pages.open_link", code=link.code
    )


def whatsapp_url(message: str) -> str:
    return "https://wa.me/?text=" + quote(message, safe="")


@bp.app_context_processor
def sharing_helpers() -> dict[str, object]:
    return {"share_url": share_url, "whatsapp_url": whatsapp_url, "share_link_to_ask_about": to_ask_about}
