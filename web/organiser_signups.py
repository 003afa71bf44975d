"""Organisers' sign-up pages: a campaign's events and pledges, each event's people, exports and
voter timelines. Every route is for the organisers of the campaign it is about (and admins): the
campaign in the URL, or the one the event or voter in the URL belongs to."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue

from dialer.domain.voter_rows import ENCODINGS
from dialer.errors import InvalidInput
from dialer.models import Event, Voter
from dialer.services.campaigns import voter_import
from dialer.services.mail import event_mail
from dialer.services.organising import exports, timeline
from dialer.services.signups import doorstep, events, pledges
from dialer.services.signups.events import EventDraft
from web.access import organiser_of
from web.html_forms import refuse
from web.identity import account_id, actor
from web.services import services
from web.signup_forms import CapacityForm, EventForm, PledgeForm
from web.signups import locate

bp = Blueprint("organiser_signups", __name__, url_prefix="/organiser")


@bp.get("/campaigns/<int:campaign_id>/signups")
@organiser_of("campaign_id")
def campaign_page(campaign_id: int) -> ResponseReturnValue:
    return _campaign_page(campaign_id)


def _campaign_page(
    campaign_id: int, *, event_form: EventForm | None = None, pledge_form: PledgeForm | None = None
) -> ResponseReturnValue:
    """The campaign's sign-ups page; a refused form is shown again as it was typed (status 400)."""
    wired = services()
    campaign = events.campaign_card(wired.uow(), campaign_id)
    refused = event_form is not None or pledge_form is not None
    event_form = event_form or EventForm(formdata=None)
    event_form.ons_code.choices = campaign.seats
    html = render_template(
        "signups/organiser_campaign.html",
        campaign=campaign,
        events=events.upcoming(wired.uow(), wired.clock, campaign_id=campaign_id, limit=200),
        pledges=pledges.pledges_of(wired.uow(), campaign_id),
        imports=voter_import.imports_of(wired.uow(), campaign_id),
        encodings=ENCODINGS,
        event_form=event_form,
        pledge_form=pledge_form or PledgeForm(formdata=None),
    )
    return html, 400 if refused else 200


@bp.post("/campaigns/<int:campaign_id>/events")
@organiser_of("campaign_id")
def create_event(campaign_id: int) -> ResponseReturnValue:
    wired = services()
    form = EventForm()
    if form.validate():
        try:
            draft = EventDraft(
                campaign_id=campaign_id,
                ons_code=form.ons_code.data or "",
                title=form.title.data or "",
                starts_at=form.starts_at.data,
                ends_at=form.ends_at.data,
                meeting_postcode=form.meeting_postcode.data or "",
                capacity=form.capacity.data,
                notes=form.notes.data or "",
            )
            event_id = events.create_event(wired.uow(), wired.clock, locate(), draft, account_id())
        except InvalidInput as error:
            refuse(form, error)
        else:
            flash("Event created.", "success")
            return redirect(url_for(".event_page", event_id=event_id), 303)
    return _campaign_page(campaign_id, event_form=form)


@bp.get("/events/<int:event_id>")
@organiser_of("event_id", campaign_of=Event)
def event_page(event_id: int) -> ResponseReturnValue:
    return _event_page(event_id)


def _event_page(event_id: int, capacity_form: CapacityForm | None = None) -> ResponseReturnValue:
    event = events.summary(services().uow(), event_id)
    people = events.signups_of(services().uow(), event_id)
    form = capacity_form or CapacityForm(formdata=None, capacity=event.capacity)
    html = render_template(
        "signups/organiser_event.html",
        event=event,
        people=people,
        capacity_form=form,
        status_labels=exports.STATUS_LABELS,
        pledgers=doorstep.pledgers_at(services().uow(), event_id),
    )
    return html, 200 if capacity_form is None else 400


@bp.post("/events/<int:event_id>/capacity")
@organiser_of("event_id", campaign_of=Event)
def change_capacity(event_id: int) -> ResponseReturnValue:
    form = CapacityForm()
    if form.validate():
        try:
            moved = events.change_capacity(
                services().uow(), event_id, form.capacity.data, clock=services().clock, actor=actor()
            )
        except InvalidInput as error:
            refuse(form, error)
        else:
            event_mail.moved_up(services().mail, moved)
            flash(f"Capacity changed; {len(moved)} moved up from the waiting list.", "success")
            return redirect(url_for(".event_page", event_id=event_id), 303)
    return _event_page(event_id, form)


@bp.post("/events/<int:event_id>/canvassers/<int:user_id>/<any(approve, withdraw):decision>")
@organiser_of("event_id", campaign_of=Event)
def canvasser(event_id: int, user_id: int, decision: str) -> ResponseReturnValue:
    """Approve a volunteer with a confirmed place to canvass at the event, or withdraw that."""
    wired = services()
    act = doorstep.approve_canvasser if decision == "approve" else doorstep.withdraw_canvasser
    act(wired.uow(), wired.clock, actor(), event_id, user_id)
    flash("Approved to canvass." if decision == "approve" else "No longer canvassing.", "success")
    return redirect(url_for(".event_page", event_id=event_id), 303)


@bp.post("/events/<int:event_id>/canvassers")
@organiser_of("event_id", campaign_of=Event)
def approve_canvassers(event_id: int) -> ResponseReturnValue:
    """Approve every ticked volunteer with a confirmed place to canvass at the event, in one go."""
    wired = services()
    try:
        ticked = [int(value) for value in request.form.getlist("user_id")]
    except ValueError:
        abort(400)
    try:
        approved = doorstep.approve_canvassers(wired.uow(), wired.clock, actor(), event_id, ticked)
    except InvalidInput as error:
        flash(str(error), "error")
        return redirect(url_for(".event_page", event_id=event_id), 303)
    if not ticked:
        flash("Tick the volunteers to approve first.", "error")
    else:
        flash(f"{approved} approved to canvass.", "success")
    return redirect(url_for(".event_page", event_id=event_id), 303)


@bp.post("/campaigns/<int:campaign_id>/pledges")
@organiser_of("campaign_id")
def create_pledge(campaign_id: int) -> ResponseReturnValue:
    form = PledgeForm()
    if form.validate():
        try:
            pledges.create_pledge(
                services().uow(),
                campaign_id,
                slug=form.slug.data or "",
                text=form.text.data or "",
                clock=services().clock,
                actor=actor(),
            )
        except InvalidInput as error:
            refuse(form, error)
        else:
            flash("Pledge added.", "success")
            return redirect(url_for(".campaign_page", campaign_id=campaign_id), 303)
    return _campaign_page(campaign_id, pledge_form=form)


@bp.post("/campaigns/<int:campaign_id>/pledges/<int:pledge_id>/<any(open, close):state>")
@organiser_of("campaign_id")
def pledge_state(campaign_id: int, pledge_id: int, state: str) -> ResponseReturnValue:
    pledges.set_active(
        services().uow(), campaign_id, pledge_id, state == "open", clock=services().clock, actor=actor()
    )
    return redirect(url_for(".campaign_page", campaign_id=campaign_id), 303)


@bp.get("/campaigns/<int:campaign_id>/export/<any(outcomes, signups):kind>.csv")
@organiser_of("campaign_id")
def export(campaign_id: int, kind: str) -> ResponseReturnValue:
    wired = services()
    chunks = exports.export(wired.uow, wired.clock, actor(), campaign_id, kind)
    filename = f"campaign-{campaign_id}-{kind}-{wired.clock.now():%Y%m%d-%H%M}.csv"
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/voters/<int:voter_id>")
@organiser_of("voter_id", campaign_of=Voter)
def voter_timeline(voter_id: int) -> ResponseReturnValue:
    """The voter's history; the view is written to the audit log (viewing a record is processing it)."""
    wired = services()
    history = timeline.voter_timeline(wired.uow(), wired.clock, actor(), voter_id)
    return render_template("signups/timeline.html", timeline=history)
