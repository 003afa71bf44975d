"""Voter import pages: upload a CSV, choose which column is which, watch the import run.

The progress page renders the import's row as it stands (so a reload always shows the truth) and,
when JavaScript and Socket.IO are available, moves the bar live as the worker publishes each chunk.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_socketio import emit, join_room

from dialer.adapters.live import NAMESPACE
from dialer.domain.voter_rows import ENCODINGS, FIELDS
from dialer.errors import InvalidInput, NotFound
from dialer.services import voter_import
from dialer.services.organiser_rights import may_organise
from web.extensions import socketio
from web.organiser_checks import account_id, require_organiser, signed_in
from web.services import services
from web.signups import back_with_error

bp = Blueprint("voter_imports", __name__, url_prefix="/organiser")


@bp.post("/campaigns/<int:campaign_id>/imports")
@signed_in
def upload(campaign_id: int) -> ResponseReturnValue:
    organiser = require_organiser(campaign_id)
    fallback = url_for("organiser_signups.campaign_page", campaign_id=campaign_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return back_with_error(InvalidInput("choose a CSV file to upload"), fallback)
    wired = services()
    try:
        import_id = voter_import.start_import(
            wired.uow(),
            wired.clock,
            campaign_id=campaign_id,
            user_id=organiser,
            filename=upload.filename,
            data=upload.read(),
            encoding=request.form.get("encoding", "utf-8"),
        )
    except (InvalidInput, NotFound) as error:
        return back_with_error(error, fallback)
    return redirect(url_for(".import_page", import_id=import_id))


def _import(
    import_id: int,
) -> tuple[voter_import.Progress, list[str], dict[str, str], list[dict[str, object]]]:
    try:
        progress, row = voter_import.progress(services().uow(), import_id)
    except NotFound:
        abort(404)
    require_organiser(progress.campaign_id)
    return progress, row.headers, row.columns, list(voter_import.problems_of(row))


@bp.get("/imports/<int:import_id>")
@signed_in
def import_page(import_id: int) -> ResponseReturnValue:
    progress, headers, columns, problems = _import(import_id)
    return render_template(
        "signups/import.html",
        progress=progress,
        headers=headers,
        columns=columns,
        fields=FIELDS,
        problems=problems,
        encodings=ENCODINGS,
        room=voter_import.room(import_id),
    )


@bp.post("/imports/<int:import_id>/columns")
@signed_in
def choose_columns(import_id: int) -> ResponseReturnValue:
    _import(import_id)
    columns = {field.name: request.form.get(field.name, "") for field in FIELDS}
    try:
        voter_import.choose_columns(services().uow(), services().jobs, import_id, columns)
    except InvalidInput as error:
        return back_with_error(error, url_for(".import_page", import_id=import_id))
    flash("Import started: the bar below moves as it runs.", "success")
    return redirect(url_for(".import_page", import_id=import_id))


def watch_import(data: object) -> None:
    """Socket.IO: an organiser's progress page joins its import's room and gets the state now."""
    if not current_user.is_authenticated or not isinstance(data, dict):
        return
    try:
        progress, _ = voter_import.progress(services().uow(), int(data.get("id", 0)))
    except (NotFound, TypeError, ValueError):
        return
    with services().uow() as uow:
        if not may_organise(uow.session, account_id(), progress.campaign_id):
            return
    join_room(voter_import.room(progress.id))
    emit(voter_import.PROGRESS_EVENT, progress.as_dict())


def register_live_handlers() -> None:
    socketio.on_event("watch_import", watch_import, namespace=NAMESPACE)
