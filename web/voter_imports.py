"""Voter import pages: upload a CSV, choose which column is which, watch the import run.

The progress page renders the import's row as it stands (so a reload always shows the truth) and,
when JavaScript and Socket.IO are available, moves the bar live as the worker publishes each chunk
(the /live namespace's `watch_import` event, web/sockets.py). Every route is for the organisers of
the import's campaign, and admins.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from dialer.domain.voter_rows import ENCODINGS, FIELDS
from dialer.errors import InvalidInput, NotFound
from dialer.models import VoterImport
from dialer.services import voter_import
from web.access import organiser_of
from web.identity import account_id
from web.services import services
from web.signups import back_with_error

bp = Blueprint("voter_imports", __name__, url_prefix="/organiser")


@bp.post("/campaigns/<int:campaign_id>/imports")
@organiser_of("campaign_id")
def upload(campaign_id: int) -> ResponseReturnValue:
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
            user_id=account_id(),
            filename=upload.filename,
            data=upload.read(),
            encoding=request.form.get("encoding", "utf-8"),
        )
    except (InvalidInput, NotFound) as error:
        return back_with_error(error, fallback)
    return redirect(url_for(".import_page", import_id=import_id), 303)


def _import(
    import_id: int,
) -> tuple[voter_import.Progress, list[str], dict[str, str], list[dict[str, object]]]:
    try:
        progress, row = voter_import.progress(services().uow(), import_id)
    except NotFound:
        abort(404)
    return progress, row.headers, row.columns, list(voter_import.problems_of(row))


@bp.get("/imports/<int:import_id>")
@organiser_of("import_id", campaign_of=VoterImport)
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
@organiser_of("import_id", campaign_of=VoterImport)
def choose_columns(import_id: int) -> ResponseReturnValue:
    _import(import_id)
    columns = {field.name: request.form.get(field.name, "") for field in FIELDS}
    try:
        voter_import.choose_columns(services().uow(), services().jobs, import_id, columns)
    except InvalidInput as error:
        return back_with_error(error, url_for(".import_page", import_id=import_id))
    flash("Import started: the bar below moves as it runs.", "success")
    return redirect(url_for(".import_page", import_id=import_id), 303)
