"""Knocking up on polling day on the web: pledgers see their seat's rota and book a slot; the
campaign's organisers publish slots and see each seat's places filled and missing.

Routes parse, call one use case (dialer.services.signups.knock_up) and render. A pledger is who they are
signed in as, or the address that pledged in this visit (kept in the session cookie), so nobody types
their details twice; a booking in a visit a share link brought is credited up the cascade.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from dialer.errors import Conflict, InvalidInput, NotFound
from dialer.services.signups import events, knock_up
from web import cascade_pages
from web.access import organiser_of, public, refuse
from web.errors import shortened
from web.html_forms import HtmlForm
from web.html_forms import refuse as refuse_field
from web.identity import actor
from web.services import services
from web.signups import UK, locate

bp = Blueprint("knock_up_pages", __name__)

_UK_TIME = {"tz": UK, "format": "%Y-%m-%dT%H:%M"}


class PublishSlotForm(HtmlForm):
    ons_code = SelectField("Seat", validate_choice=False)
    starts_at = DateTimeLocalField(
        "Starts (UK time)", validators=[InputRequired("Give the date and time it starts.")], **_UK_TIME
    )
    ends_at = DateTimeLocalField(
        "Ends (UK time)", validators=[InputRequired("Give the date and time it ends.")], **_UK_TIME
    )
    places = IntegerField("Places", default=10, validators=[InputRequired("Give the number of places.")])
    meeting_postcode = StringField(
        "Meeting point postcode",
        description="A full postcode, or a district such as SW9.",
        validators=[InputRequired("Give the meeting point's postcode.")],
    )
    meeting_point = StringField(
        "Meeting point", description="Where exactly, e.g. outside the library.", validators=[Length(max=200)]
    )


class PlacesForm(HtmlForm):
    places = IntegerField("Places", validators=[InputRequired("Give the number of places.")])


@dataclass(frozen=True)
class Pledger:
    email: str
    user_id: int | None


def pledger() -> Pledger | None:
    """Who is booking: the signed-in account, or the address that pledged in this visit."""
    if current_user.is_authenticated:
        return Pledger(current_user.email, current_user.id)
    email = cascade_pages.pledger_email()
    return Pledger(email, None) if email else None


@bp.get("/knock-up/<campaign_slug>")
@public
def rota(campaign_slug: str) -> ResponseReturnValue:
    wired = services()
    who = pledger()
    found = knock_up.rota_for(
        wired.uow(),
        campaign_slug,
        now=wired.clock.now(),
        email=who.email if who else "",
        user_id=who.user_id if who else None,
        locate=locate(),
        postcode=request.args.get("postcode", "")[:10],
    )
    # a pledger's own link to the pledge, for the polling-day message: whoever it brings carries on
    link = cascade_pages.own_link("pledge", found.pledge_id) if found.pledge_id is not None else None
    return render_template("knock_up/rota.html", rota=found, pledger=who, own_link=link)


@bp.post("/knock-up/slots/<int:slot_id>/book")
@public
def book(slot_id: int) -> ResponseReturnValue:
    who = pledger()
    if who is None:
        return refuse(signed_in=False)
    form = HtmlForm()
    if not form.validate():
        flash("The form had expired: nothing was booked. Please try again.", "error")
        return redirect(request.referrer or url_for("home.index"), 303)
    wired = services()
    try:
        booked = knock_up.book(wired.uow(), wired.clock, slot_id, email=who.email, user_id=who.user_id)
    except (Conflict, InvalidInput) as error:
        flash(shortened(error), "error")
        return redirect(request.referrer or url_for("home.index"), 303)
    cascade_pages.credit(who.email, "knockup", booked.booking_id)
    flash(
        "Your place is booked: see you on polling day!" if booked.new else "You had this place already.",
        "success",
    )
    return redirect(url_for(".rota", campaign_slug=booked.campaign_slug), 303)


@bp.post("/knock-up/slots/<int:slot_id>/cancel")
@public
def cancel(slot_id: int) -> ResponseReturnValue:
    who = pledger()
    if who is None:
        return refuse(signed_in=False)
    form = HtmlForm()
    if not form.validate():
        flash("The form had expired: nothing was changed. Please try again.", "error")
        return redirect(request.referrer or url_for("home.index"), 303)
    wired = services()
    try:
        slug = knock_up.cancel(wired.uow(), wired.clock, slot_id, email=who.email)
    except NotFound as error:
        flash(shortened(error), "error")
        return redirect(request.referrer or url_for("home.index"), 303)
    flash("Your place is given up: someone else can take it.", "success")
    return redirect(url_for(".rota", campaign_slug=slug), 303)


@bp.get("/organiser/campaigns/<int:campaign_id>/knock-up")
@organiser_of("campaign_id")
def organiser_rota(campaign_id: int) -> ResponseReturnValue:
    return _organiser_page(campaign_id)


def _organiser_page(campaign_id: int, form: PublishSlotForm | None = None) -> ResponseReturnValue:
    """Each target seat's slots, filled and missing, and the publishing form; a refused form comes
    back as typed (400)."""
    wired = services()
    campaign = events.campaign_card(wired.uow(), campaign_id)
    shown = form or PublishSlotForm(formdata=None)
    shown.ons_code.choices = campaign.seats
    html = render_template(
        "knock_up/organiser.html",
        campaign=campaign,
        rota=knock_up.organiser_rota(wired.uow(), campaign_id, now=wired.clock.now()),
        form=shown,
        places_form=PlacesForm(formdata=None),
    )
    return html, 400 if form is not None else 200


@bp.post("/organiser/campaigns/<int:campaign_id>/knock-up")
@organiser_of("campaign_id")
def publish(campaign_id: int) -> ResponseReturnValue:
    form = PublishSlotForm()
    if form.validate():
        wired = services()
        draft = knock_up.SlotDraft(
            ons_code=form.ons_code.data or "",
            starts_at=form.starts_at.data,
            ends_at=form.ends_at.data,
            places=form.places.data or 0,
            meeting_postcode=form.meeting_postcode.data or "",
            meeting_point=form.meeting_point.data or "",
        )
        try:
            knock_up.publish_slot(wired.uow(), wired.clock, locate(), campaign_id, draft, actor())
        except InvalidInput as error:
            refuse_field(form, error)
        else:
            flash("The slot is published: pledgers can book it now.", "success")
            return redirect(url_for(".organiser_rota", campaign_id=campaign_id), 303)
    return _organiser_page(campaign_id, form)


@bp.post("/organiser/campaigns/<int:campaign_id>/knock-up/<int:slot_id>/places")
@organiser_of("campaign_id")
def change_places(campaign_id: int, slot_id: int) -> ResponseReturnValue:
    form = PlacesForm()
    if not form.validate():
        flash("Give the number of places (a whole number).", "error")
    else:
        wired = services()
        try:
            knock_up.change_places(
                wired.uow(), wired.clock, campaign_id, slot_id, form.places.data or 0, actor()
            )
        except (InvalidInput, NotFound) as error:
            flash(shortened(error), "error")
        else:
            flash("The slot's places are changed.", "success")
    return redirect(url_for(".organiser_rota", campaign_id=campaign_id), 303)
