"""Carpools for volunteers: offering seats, asking for one, and accepting riders."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from dialer.errors import InvalidInput
from dialer.services.mail import signup_mail
from dialer.services.signups import carpools
from web.access import signed_in
from web.event_pages import event_page
from web.html_forms import refuse
from web.identity import account_id
from web.services import services
from web.signup_forms import CarpoolForm
from web.signups import back_with_error, locate

bp = Blueprint("carpool_pages", __name__)


@bp.get("/carpools")
@signed_in
def mine() -> ResponseReturnValue:
    wired = services()
    driving = carpools.seats_for_driver(wired.uow(), locate(), account_id())
    riding = carpools.seats_for_rider(wired.uow(), account_id())
    return render_template("signups/carpools.html", driving=driving, riding=riding)


@bp.post("/events/<int:event_id>/carpools")
@signed_in
def offer(event_id: int) -> ResponseReturnValue:
    wired = services()
    form = CarpoolForm()
    if form.validate():
        try:
            carpools.offer(
                wired.uow(),
                wired.clock,
                locate(),
                event_id=event_id,
                driver_id=account_id(),
                pickup_postcode=form.pickup_postcode.data or "",
                seats=form.seats.data,
                departs_at=form.departs_at.data,
                notes=form.notes.data or "",
            )
        except InvalidInput as error:
            refuse(form, error)
        else:
            flash("Thank you! Riders near your pickup can now ask for a seat.", "success")
            return redirect(url_for(".mine"), 303)
    return event_page(event_id, carpool_form=form)


@bp.post("/carpools/<int:carpool_id>/seats")
@signed_in
def ask(carpool_id: int) -> ResponseReturnValue:
    wired = services()
    asked_before = any(
        seat.carpool_id == carpool_id for seat in carpools.seats_for_rider(wired.uow(), account_id())
    )
    try:
        seat = carpools.request_seat(wired.uow(), wired.clock, carpool_id, rider_id=account_id())
    except InvalidInput as error:
        return back_with_error(error, url_for(".mine"))
    if not asked_before:
        signup_mail.seat_asked(wired.mail, seat.id)
    flash("Asked! The driver's details appear here once they accept.", "success")
    return redirect(url_for(".mine"), 303)


@bp.post("/carpools/seats/<int:seat_id>/<any(accept, decline):answer>")
@signed_in
def respond(seat_id: int, answer: str) -> ResponseReturnValue:
    wired = services()
    try:
        answered = carpools.respond(wired.uow(), seat_id, driver_id=account_id(), accept=answer == "accept")
    except InvalidInput as error:
        return back_with_error(error, url_for(".mine"))
    if answered.status == carpools.ACCEPTED:
        signup_mail.seat_confirmed(wired.mail, answered.id)
    return redirect(url_for(".mine"), 303)


@bp.post("/carpools/seats/<int:seat_id>/cancel")
@signed_in
def cancel(seat_id: int) -> ResponseReturnValue:
    carpools.cancel_seat(services().uow(), seat_id, rider_id=account_id())
    return redirect(url_for(".mine"), 303)
