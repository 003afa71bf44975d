"""Organisers' sign-up pages: a campaign's events and pledges, each event's people, exports and
voter timelines. Every route starts with its permission check."""

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
from dialer.services import events, exports, pledges, timeline, voter_import
from dialer.services.events import EventDraft
from web.organiser_checks import client_ip, require_organiser, signed_in
from web.services import services
from web.signups import back_with_error, locate, parse_int, parse_uk_time

bp = Blueprint("organiser_signups", __name__, url_prefix="/organiser")


@bp.get("/campaigns/<int:campaign_id>/signups")
@signed_in
def campaign_page(campaign_id: int) -> ResponseReturnValue:
    require_organiser(campaign_id)
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
@signed_in
def create_event(campaign_id: int) -> ResponseReturnValue:
    organiser = require_organiser(campaign_id)
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
        event_id = events.create_event(wired.uow(), wired.clock, locate(), draft, organiser)
    except (InvalidInput, NotFound) as error:
        return back_with_error(error, fallback)
    flash("Event created.", "success")
    return redirect(url_for(".event_page", event_id=event_id))


def _event_campaign(event_id: int) -> events.EventSummary:
    try:
        event = events.summary(services().uow(), event_id)
    except NotFound:
        abort(404)
    if event.campaign_id is None:
        abort(404)
    return event


@bp.get("/events/<int:event_id>")
@signed_in
def event_page(event_id: int) -> ResponseReturnValue:
    event = _event_campaign(event_id)
    assert event.campaign_id is not None
    require_organiser(event.campaign_id)
    people = events.signups_of(services().uow(), event_id)
    return render_template("signups/organiser_event.html", event=event, people=people)


@bp.post("/events/<int:event_id>/capacity")
@signed_in
def change_capacity(event_id: int) -> ResponseReturnValue:
    event = _event_campaign(event_id)
    assert event.campaign_id is not None
    require_organiser(event.campaign_id)
    try:
        moved = events.change_capacity(
            services().uow(), event_id, parse_int(request.form.get("capacity"), "Capacity")
        )
    except InvalidInput as error:
        return back_with_error(error, url_for(".event_page", event_id=event_id))
    flash(f"Capacity changed; {len(moved)} moved up from the waiting list.", "success")
    return redirect(url_for(".event_page", event_id=event_id))


@bp.post("/campaigns/<int:campaign_id>/pledges")
@signed_in
def create_pledge(campaign_id: int) -> ResponseReturnValue:
    require_organiser(campaign_id)
    try:
        pledges.create_pledge(
            services().uow(),
            campaign_id,
            slug=request.form.get("slug", ""),
            text=request.form.get("text", ""),
        )
    except (InvalidInput, NotFound) as error:
        return back_with_error(error, url_for(".campaign_page", campaign_id=campaign_id))
    flash("Pledge added.", "success")
    return redirect(url_for(".campaign_page", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/pledges/<int:pledge_id>/<any(open, close):state>")
@signed_in
def pledge_state(campaign_id: int, pledge_id: int, state: str) -> ResponseReturnValue:
    require_organiser(campaign_id)
    try:
        if pledges.set_active(services().uow(), pledge_id, state == "open") != campaign_id:
            abort(404)
    except NotFound:
        abort(404)
    return redirect(url_for(".campaign_page", campaign_id=campaign_id))


@bp.get("/campaigns/<int:campaign_id>/export/<any(outcomes, signups):kind>.csv")
@signed_in
def export(campaign_id: int, kind: str) -> ResponseReturnValue:
    organiser = require_organiser(campaign_id)
    wired = services()
    chunks = exports.export(wired.uow, wired.clock, campaign_id, kind, actor_id=organiser, ip=client_ip())
    filename = f"campaign-{campaign_id}-{kind}-{wired.clock.now():%Y%m%d-%H%M}.csv"
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/voters/<int:voter_id>")
@signed_in
def voter_timeline(voter_id: int) -> ResponseReturnValue:
    wired = services()
    try:
        campaign_id = timeline.campaign_of_voter(wired.uow(), voter_id)
    except NotFound:
        abort(404)
    viewer = require_organiser(campaign_id)
    history = timeline.voter_timeline(wired.uow(), wired.clock, voter_id, viewer_id=viewer, ip=client_ip())
    return render_template("signups/timeline.html", timeline=history)
