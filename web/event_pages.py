"""Volunteers' event pages: upcoming events nearest them, taking and giving up places, .ics files."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dialer.errors import InvalidInput
from dialer.services.geography import postcode_lookup
from dialer.services.mail import event_mail
from dialer.services.signups import carpools, events
from web import cascade_pages
from web.access import signed_in
from web.identity import account_id
from web.services import services
from web.signup_forms import CarpoolForm
from web.signups import back_with_error, locate

bp = Blueprint("event_pages", __name__)


@bp.get("/events")
@signed_in
def upcoming() -> ResponseReturnValue:
    wired = services()
    home = postcode_lookup.home_of(wired.uow, locate(), account_id())
    found = events.upcoming(wired.uow(), wired.clock, near=home)
    mine = events.places_of_volunteer(wired.uow(), account_id())
    return render_template("signups/events.html", events=found, mine=mine, located=home is not None)


@bp.get("/events/<int:event_id>")
@signed_in
def detail(event_id: int) -> ResponseReturnValue:
    return event_page(event_id)


def event_page(event_id: int, *, carpool_form: CarpoolForm | None = None) -> ResponseReturnValue:
    """An event for a volunteer; a refused lift offer is shown again as it was typed (status 400)."""
    wired = services()
    home = postcode_lookup.home_of(wired.uow, locate(), account_id())
    event = events.summary(wired.uow(), event_id, near=home)
    rides = carpools.rides_to(wired.uow(), wired.clock, near=home, event_ids=[event_id])
    place = events.places_of_volunteer(wired.uow(), account_id()).get(event_id)
    html = render_template(
        "signups/event.html",
        event=event,
        rides=rides,
        place=place,
        carpool_form=carpool_form or CarpoolForm(formdata=None),
        # a refused form writes nothing, not even the volunteer's first link
        own_link=cascade_pages.own_link("event", event_id) if carpool_form is None else None,
    )
    return html, 200 if carpool_form is None else 400


@bp.post("/events/<int:event_id>/places")
@signed_in
def take_place(event_id: int) -> ResponseReturnValue:
    wired = services()
    had_one = event_id in events.places_of_volunteer(wired.uow(), account_id())
    try:
        place = events.sign_up(wired.uow(), wired.clock, event_id, user_id=account_id())
    except InvalidInput as error:
        return back_with_error(error, url_for(".upcoming"))
    if not had_one:
        event_mail.confirm_place(wired.mail, place.id)
    cascade_pages.credit(current_user.email, "event", place.id)
    if place.status == events.CONFIRMED:
        flash("You have a place. See you there!", "success")
    else:
        flash("The event is full: you are on the waiting list and will move up if a place frees.", "success")
    return redirect(url_for(".detail", event_id=event_id), 303)


@bp.post("/events/places/<int:signup_id>/cancel")
@signed_in
def give_up_place(signup_id: int) -> ResponseReturnValue:
    wired = services()
    promoted = events.cancel(wired.uow(), signup_id, user_id=account_id())
    if promoted is not None:
        event_mail.moved_up(wired.mail, [promoted])
    flash("Your place is given up; thank you for letting us know.", "success")
    return redirect(url_for(".upcoming"), 303)


@bp.get("/events/<int:event_id>.ics")
@signed_in
def calendar(event_id: int) -> ResponseReturnValue:
    wired = services()
    data = events.calendar_for(wired.uow(), wired.clock, event_id, base_url=wired.settings.public_base_url)
    return Response(
        data,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="marginal-event-{event_id}.ics"'},
    )
