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
from dialer.errors import InvalidInput, NotFound
from dialer.models import Event, Voter
from dialer.services import events, exports, pledges, timeline, voter_import
from dialer.services.events import EventDraft
from web.access import organiser_of
from web.identity import account_id, actor
from web.services import services
from web.signups import back_with_error, locate, parse_int, parse_uk_time

bp = Blueprint("organiser_signups", __name__, url_prefix="/organiser")


@bp.get("/campaigns/<int:campaign_id>/signups")
@organiser_of("campaign_id")
def campaign_page(campaign_id: int) -> ResponseReturnValue:
    wired = services()
    try:
        campaign = events.campaign_card(wired.uow(), campaign_id)
    except NotFound:
        abort(404)
    return render_template(
        "signups/organiser_campaign.html",
        campaign=campaign,
        events=events.upcoming(wired.uow(), wired.clock, campaign_id=campaign_id, limit=200),
        pledges=pledges.pledges_of(wired.uow(), campaign_id),
        imports=voter_import.imports_of(wired.uow(), campaign_id),
        encodings=ENCODINGS,
    )


@bp.post("/campaigns/<int:campaign_id>/events")
@organiser_of("campaign_id")
def create_event(campaign_id: int) -> ResponseReturnValue:
    wired = services()
    form = request.form
    fallback = url_for(".campaign_page", campaign_id=campaign_id)
    try:
        draft = EventDraft(
            campaign_id=campaign_id,
            ons_code=form.get("ons_code", ""),
            title=form.get("title", ""),
            starts_at=parse_uk_time(form.get("starts_at", ""), "Starts"),
            ends_at=parse_uk_time(form.get("ends_at", ""), "Ends"),
            meeting_postcode=form.get("meeting_postcode", ""),
            capacity=parse_int(form.get("capacity"), "Capacity"),
            notes=form.get("notes", ""),
        )
        event_id = events.create_event(wired.uow(), wired.clock, locate(), draft, account_id())
    except (InvalidInput, NotFound) as error:
        return back_with_error(error, fallback)
    flash("Event created.", "success")
    return redirect(url_for(".event_page", event_id=event_id), 303)


@bp.get("/events/<int:event_id>")
@organiser_of("event_id", campaign_of=Event)
def event_page(event_id: int) -> ResponseReturnValue:
    try:
        event = events.summary(services().uow(), event_id)
    except NotFound:
        abort(404)
    people = events.signups_of(services().uow(), event_id)
    return render_template("signups/organiser_event.html", event=event, people=people)


@bp.post("/events/<int:event_id>/capacity")
@organiser_of("event_id", campaign_of=Event)
def change_capacity(event_id: int) -> ResponseReturnValue:
    try:
        moved = events.change_capacity(
            services().uow(),
            event_id,
            parse_int(request.form.get("capacity"), "Capacity"),
            clock=services().clock,
            actor=actor(),
        )
    except NotFound:
        abort(404)
    except InvalidInput as error:
        return back_with_error(error, url_for(".event_page", event_id=event_id))
    flash(f"Capacity changed; {len(moved)} moved up from the waiting list.", "success")
    return redirect(url_for(".event_page", event_id=event_id), 303)


@bp.post("/campaigns/<int:campaign_id>/pledges")
@organiser_of("campaign_id")
def create_pledge(campaign_id: int) -> ResponseReturnValue:
    try:
        pledges.create_pledge(
            services().uow(),
            campaign_id,
            slug=request.form.get("slug", ""),
            text=request.form.get("text", ""),
            clock=services().clock,
            actor=actor(),
        )
    except (InvalidInput, NotFound) as error:
        return back_with_error(error, url_for(".campaign_page", campaign_id=campaign_id))
    flash("Pledge added.", "success")
    return redirect(url_for(".campaign_page", campaign_id=campaign_id), 303)


@bp.post("/campaigns/<int:campaign_id>/pledges/<int:pledge_id>/<any(open, close):state>")
@organiser_of("campaign_id")
def pledge_state(campaign_id: int, pledge_id: int, state: str) -> ResponseReturnValue:
    try:
        opened = state == "open"
        if (
            pledges.set_active(services().uow(), pledge_id, opened, clock=services().clock, actor=actor())
            != campaign_id
        ):
            abort(404)
    except NotFound:
        abort(404)
    return redirect(url_for(".campaign_page", campaign_id=campaign_id), 303)


@bp.get("/campaigns/<int:campaign_id>/export/<any(outcomes, signups):kind>.csv")
@organiser_of("campaign_id")
def export(campaign_id: int, kind: str) -> ResponseReturnValue:
    wired = services()
    try:
        chunks = exports.export(wired.uow, wired.clock, actor(), campaign_id, kind)
    except NotFound:
        abort(404)
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
    try:
        history = timeline.voter_timeline(wired.uow(), wired.clock, actor(), voter_id)
    except NotFound:
        abort(404)
    return render_template("signups/timeline.html", timeline=history)
