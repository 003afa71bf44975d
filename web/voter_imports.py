"""Voter import pages: upload a CSV, choose which column is which (previewing the first rows as
mapped, before anything is written), watch the import run, then review the rows it reported a page
at a time, by reason, or as a CSV (dialer/services/campaigns/import_review.py).

The progress page renders the import's row as it stands (so a reload always shows the truth) and,
when JavaScript and Socket.IO are available, moves the bar live as the worker publishes each chunk
(the /live namespace's `watch_import` event, web/sockets.py). Every route is for the organisers of
the import's campaign, and admins.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from dialer.domain.voter_rows import ENCODINGS, FIELDS
from dialer.errors import InvalidInput, NotFound
from dialer.models import VoterImport
from dialer.services.campaigns import import_review, voter_import
from dialer.services.organising import exports
from web.access import organiser_of
from web.errors import sentence
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


def _import(import_id: int) -> tuple[voter_import.Progress, VoterImport]:
    return voter_import.progress(services().uow(), import_id)


def _page_number() -> int:
    try:
        return int(request.args.get("page", "1"))
    except ValueError:
        return 1


@bp.get("/imports/<int:import_id>")
@organiser_of("import_id", campaign_of=VoterImport)
def import_page(import_id: int) -> ResponseReturnValue:
    chosen = None
    if "preview" in request.args:  # the organiser's choice, before anything is written
        chosen = {field.name: request.args.get(field.name, "") for field in FIELDS}
    return _import_page(import_id, chosen)


def _import_page(
    import_id: int, chosen: dict[str, str] | None, *, refused: str | None = None
) -> ResponseReturnValue:
    """The import as it stands; a mapping the organiser chose (or that was refused) is shown as chosen."""
    progress, row = _import(import_id)
    columns = chosen if chosen is not None else row.columns
    preview = None
    if progress.status == "mapping":
        try:
            preview = import_review.preview(services().uow(), import_id, columns)
        except NotFound:
            preview = None
    report = import_review.problem_page(row, reason=request.args.get("reason") or None, page=_page_number())
    return render_template(
        "signups/import.html",
        progress=progress,
        headers=row.headers,
        columns=columns,
        fields=FIELDS,
        preview=preview,
        report=report,
        encodings=ENCODINGS,
        room=voter_import.room(import_id),
        refused=refused,
    ), 400 if refused else 200


@bp.get("/imports/<int:import_id>/problems.csv")
@organiser_of("import_id", campaign_of=VoterImport)
def problems_csv(import_id: int) -> ResponseReturnValue:
    progress, row = _import(import_id)
    rows = import_review.problem_rows(row, request.args.get("reason") or None)
    stem = progress.filename.rsplit(".", 1)[0] or "voters"
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{stem}-problems.csv")
    return Response(
        exports.csv_text(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.post("/imports/<int:import_id>/columns")
@organiser_of("import_id", campaign_of=VoterImport)
def choose_columns(import_id: int) -> ResponseReturnValue:
    _import(import_id)
    columns = {field.name: request.form.get(field.name, "") for field in FIELDS}
    try:
        voter_import.choose_columns(services().uow(), services().jobs, import_id, columns)
    except InvalidInput as error:  # shown with the columns as chosen, not as first guessed
        return _import_page(import_id, columns, refused=sentence(error))
    flash("Import started: the bar below moves as it runs.", "success")
    return redirect(url_for(".import_page", import_id=import_id), 303)
