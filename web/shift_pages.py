"""Calling shifts on the web: volunteers see, book and cancel them; organisers publish them and
see each shift's roll (booked, present, missing) on their dashboard.

Routes parse, call one use case (dialer.services.calling.shifts) and render.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import DateTimeLocalField, IntegerField
from wtforms.validators import InputRequired

from dialer.errors import Conflict, InvalidInput
from dialer.services.accounts import phone_verification
from dialer.services.calling import shifts
from dialer.services.mail import shift_mail
from dialer.services.signups import events
from web.access import organiser_of, signed_in
from web.errors import shortened
from web.html_forms import HtmlForm, refuse
from web.services import services
from web.signups import UK, uk_time

bp = Blueprint("shift_pages", __name__)


class PublishShiftForm(HtmlForm):
    starts_at = DateTimeLocalField(
        "Starts (UK time)", validators=[InputRequired("Give the date and time it starts.")],
        tz=UK, format="%Y-%m-%dT%H:%M",
    )  # fmt: skip
    ends_at = DateTimeLocalField(
        "Ends (UK time)", validators=[InputRequired("Give the date and time it ends.")],
        tz=UK, format="%Y-%m-%dT%H:%M",
    )  # fmt: skip
    wanted = IntegerField(
        "Volunteers wanted",
        default=10,
        validators=[InputRequired("Give how many volunteers (a whole number).")],
    )


@bp.get("/shifts")
@signed_in
def volunteer_shifts() -> ResponseReturnValue:
    """Every shift not yet over of the phone banks taking calls, with the volunteer's own marked."""
    wired = services()
    return render_template(
        "shifts/volunteer.html",
        shifts=shifts.open_shifts(wired.uow(), current_user.id, now=wired.clock.now()),
        phone_verified=phone_verification.account_phone(wired.uow(), current_user.id).verified,
    )


@bp.post("/shifts/<int:shift_id>/book")
@signed_in
def book(shift_id: int) -> ResponseReturnValue:
    wired = services()
    try:
        shifts.book(wired.uow(), shift_id, current_user.id, now=wired.clock.now())
    except Conflict as error:
        flash(shortened(error), "error")
    else:
        shift_mail.confirm_booking(wired.mail, shift_id, current_user.id)
        flash("You are booked for the shift.", "success")
    return redirect(url_for(".volunteer_shifts"), 303)


@bp.post("/shifts/<int:shift_id>/cancel")
@signed_in
def cancel(shift_id: int) -> ResponseReturnValue:
    wired = services()
    try:
        shifts.cancel_booking(wired.uow(), shift_id, current_user.id, now=wired.clock.now())
    except Conflict as error:
        flash(shortened(error), "error")
    else:
        flash("Your place is cancelled: we will not ring you for it.", "success")
    return redirect(url_for(".volunteer_shifts"), 303)


@bp.get("/organiser/campaigns/<int:campaign_id>/shifts")
@organiser_of("campaign_id")
def organiser_shifts(campaign_id: int) -> ResponseReturnValue:
    return _organiser_page(campaign_id)


def _organiser_page(campaign_id: int, form: PublishShiftForm | None = None) -> ResponseReturnValue:
    """The campaign's shifts and the publishing form; a refused form comes back as typed (400)."""
    wired = services()
    campaign = events.campaign_card(wired.uow(), campaign_id)
    html = render_template(
        "shifts/organiser.html",
        campaign=campaign,
        form=form or PublishShiftForm(formdata=None),
        shifts=shifts.open_shifts(wired.uow(), None, now=wired.clock.now(), campaign_id=campaign_id),
        roll=shifts.current_roll(wired.uow(), campaign_id, now=wired.clock.now()),
    )
    return html, 400 if form is not None else 200


@bp.post("/organiser/campaigns/<int:campaign_id>/shifts")
@organiser_of("campaign_id")
def publish(campaign_id: int) -> ResponseReturnValue:
    form = PublishShiftForm()
    if form.validate():
        try:
            shifts.publish_shift(
                services().phone_bank,
                campaign_id,
                current_user.id,
                shifts.ShiftForm(
                    starts_at=form.starts_at.data, ends_at=form.ends_at.data, wanted=form.wanted.data or 0
                ),
            )
        except InvalidInput as error:
            refuse(form, error)
        except Conflict as error:
            form.form_errors.append(shortened(error))
        else:
            flash("The shift is published: volunteers can book it now.", "success")
            return redirect(url_for(".organiser_shifts", campaign_id=campaign_id), 303)
    return _organiser_page(campaign_id, form)


@bp.get("/organiser/campaigns/<int:campaign_id>/shifts/roll.json")
@organiser_of("campaign_id")
def roll(campaign_id: int) -> ResponseReturnValue:
    """The shift under way (else the next one): booked, present and missing, by first name."""
    wired = services()
    found = shifts.current_roll(wired.uow(), campaign_id, now=wired.clock.now())
    if found is None:
        return jsonify(shift=None)
    when = f"{uk_time(found.starts_at)} to {uk_time(found.ends_at, '%H:%M')}"
    return jsonify(shift=found.as_dict() | {"when": when if found.started else f"{when} (not started)"})
