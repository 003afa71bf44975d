"""Importing a campaign's voters from CSV: upload, column mapping, then a background job.

The upload is kept in SQL (VoterImportFile) so any worker can run the job. The job reads the file
in chunks; each chunk's voters and the import's progress are committed together, so the progress
bar never runs ahead of the data and a job that dies part-way resumes where it stopped.

A person is recognised by the key the organiser's mapping gives (`VoterRow.key`): their reference
when the file has that column filled, else name and number, else name and address; never the number
alone, since a household shares a landline and two people on one number are two voters. A person
seen before (in the campaign, or earlier in the file) is updated rather than duplicated, and TPS and
do-not-call flags are never cleared by a merge. Every merge is itemised with both rows (the earlier
line, or the voter already in the campaign); a row that would change nothing is counted unchanged,
so importing the same file again changes nothing. A do-not-call row also joins the cross-campaign
suppression list. Every bad row is reported with its line and reason; the good rows around it are
imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, delete, select

from dialer.clock import Clock
from dialer.domain import voter_rows
from dialer.domain.voter_rows import Record, RowProblem, VoterRow
from dialer.errors import DialerError, InvalidInput, NotFound
from dialer.models import Campaign, Voter, VoterImport, VoterImportFile
from dialer.ports import JobQueue, LiveUpdates, UnitOfWork
from dialer.services import row_locks
from dialer.services.compliance import audit, suppression
from dialer.services.compliance.audit import Action, Actor
from dialer.services.compliance.suppression import Reason

IMPORT_JOB: Final = "workers.imports.import_voters"
CHUNK_ROWS: Final = 2000
#: An upload whose columns nobody confirmed is deleted after this long (it holds the raw list:
#: names and numbers of people who are not voters of the campaign until it is imported).
UPLOAD_KEPT_FOR: Final = timedelta(days=7)
UPLOAD_EXPIRED: Final = (
    "the uploaded file was deleted after 7 days without its columns confirmed; upload it again"
)
MAX_FILE_BYTES: Final = 50 * 1024 * 1024
PROGRESS_EVENT: Final = "import_progress"
_TEXT_FIELDS: Final = ("first_name", "last_name", "postcode", "address", "area", "external_id")


def room(import_id: int) -> str:
    """The live-updates room an import's progress is published to."""
    return f"import:{import_id}"


@dataclass(frozen=True)
class Progress:
    id: int
    campaign_id: int
    filename: str
    status: str
    total_rows: int
    processed_rows: int
    imported: int
    merged: int
    unchanged: int
    rejected: int
    failure: str

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "percent": self.percent}

    @classmethod
    def of(cls, row: VoterImport) -> Progress:
        assert row.id is not None
        return cls(
            row.id,
            row.campaign_id,
            row.filename,
            row.status,
            row.total_rows,
            row.processed_rows,
            row.imported,
            row.merged,
            row.unchanged,
            row.rejected,
            row.failure,
        )


def start_import(
    uow: UnitOfWork,
    clock: Clock,
    *,
    campaign_id: int,
    user_id: int | None,
    filename: str,
    data: bytes,
    encoding: str,
) -> int:
    """Keep the upload and read its header; the organiser then confirms the column mapping."""
    if not data.strip():
        raise InvalidInput("the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it")
    headers = voter_rows.read_headers(voter_rows.decode(data, encoding))
    with uow:
        if uow.session.get(Campaign, campaign_id) is None:
            raise NotFound("no such campaign")
        row = VoterImport(
            campaign_id=campaign_id,
            user_id=user_id,
            filename=(filename or "voters.csv")[:200],
            status="mapping",
            encoding=encoding,
            headers=headers,
            columns=voter_rows.guess_columns(headers),
            created_at=clock.now(),
        )
        uow.session.add(row)
        uow.session.flush()
        assert row.id is not None
        uow.session.add(VoterImportFile(import_id=row.id, content=data))
        audit.record(
            uow.session,
            clock,
            Actor(user_id),
            Action.VOTERS_UPLOADED,
            subject_type="voter_import",
            subject_id=row.id,
            detail={"campaign": campaign_id, "bytes": len(data)},
        )
        uow.commit()
        return row.id


def drop_stale_uploads(uow: UnitOfWork, clock: Clock) -> int:
    """Delete the files of imports left waiting for their columns beyond UPLOAD_KEPT_FOR (the workers'
    periodic upkeep); those imports stop as failed, saying why. Returns how many were dropped."""
    now = clock.now()
    with uow:
        stale = uow.session.exec(
            select(VoterImport)
            .join(VoterImportFile, col(VoterImportFile.import_id) == col(VoterImport.id))
            .where(VoterImport.status == "mapping", col(VoterImport.created_at) < now - UPLOAD_KEPT_FOR)
            .with_for_update(of=VoterImport)
        ).all()
        ids = [row.id for row in stale]
        if ids:
            uow.session.exec(delete(VoterImportFile).where(col(VoterImportFile.import_id).in_(ids)))
        for row in stale:
            row.status, row.failure, row.finished_at = "failed", UPLOAD_EXPIRED, now
            uow.session.add(row)
        uow.commit()
    return len(ids)


def choose_columns(uow: UnitOfWork, jobs: JobQueue, import_id: int, columns: dict[str, str]) -> None:
    """Save the organiser's mapping and queue the import job."""
    with uow:
        row = uow.session.get(VoterImport, import_id)
        if row is None:
            raise NotFound("no such import")
        if row.status != "mapping":
            raise InvalidInput(f"this import is already {row.status}")
        chosen = {field: header for field, header in columns.items() if header}
        voter_rows.check_columns(chosen, row.headers)
        row.columns = chosen
        row.status = "queued"
        uow.session.add(row)
        uow.commit()
    jobs.enqueue(IMPORT_JOB, import_id, job_id=f"voter-import-{import_id}")


def progress(uow: UnitOfWork, import_id: int) -> tuple[Progress, VoterImport]:
    with uow:
        row = uow.session.get(VoterImport, import_id)
        if row is None:
            raise NotFound("no such import")
        uow.session.expunge(row)  # read-only: hand back the row as loaded
        return Progress.of(row), row


def imports_of(uow: UnitOfWork, campaign_id: int) -> list[Progress]:
    with uow:
        rows = uow.session.exec(
            select(VoterImport)
            .where(VoterImport.campaign_id == campaign_id)
            .order_by(col(VoterImport.id).desc())
        )
        return [Progress.of(row) for row in rows]


def run_import(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    live: LiveUpdates,
    import_id: int,
    *,
    number_key: bytes,
) -> Progress:
    """The job: import every good row, report every bad one, publish progress after each chunk.
    A row whose number an erased person asked never to be called again (its fingerprint, under
    `number_key`, is on the do-not-call list) is imported as do-not-call."""
    with uow_factory() as uow:
        row = uow.session.get(VoterImport, import_id)
        if row is None:
            raise NotFound(f"no voter import {import_id}")
        if row.status in ("done", "failed"):
            return Progress.of(row)
        upload = uow.session.get(VoterImportFile, import_id)
        if upload is None:
            raise NotFound(f"voter import {import_id} has no file")
        data, encoding = upload.content, row.encoding
        index = voter_rows.check_columns(row.columns, row.headers)
        width = len(row.headers)
        done_before = row.processed_rows
        campaign_id = row.campaign_id
    try:
        items = list(voter_rows.records(voter_rows.decode(data, encoding)))[1:]  # after the header
        _set(uow_factory, live, import_id, status="running", total_rows=len(items))
        seen: dict[str, int] = {}
        for item in items[:done_before]:  # a resumed job: earlier rows only teach which lines came first
            parsed = voter_rows.parse_row(item, width, index) if isinstance(item, Record) else item
            if isinstance(parsed, VoterRow):
                seen.setdefault(parsed.key(), parsed.line)
        for start in range(done_before, len(items), CHUNK_ROWS):
            chunk = items[start : start + CHUNK_ROWS]
            if not _import_chunk(
                uow_factory, clock, live, import_id, campaign_id, chunk, width, index, seen, number_key
            ):
                return progress(uow_factory(), import_id)[0]  # stopped meanwhile (an erasure)
        return _finish(uow_factory, clock, live, import_id, status="done")
    except Exception as exc:
        _finish(uow_factory, clock, live, import_id, status="failed", failure=_failure(exc))
        raise


# --- the job's steps -------------------------------------------------------------------------


@dataclass
class _Tally:
    imported: int = 0
    merged: int = 0
    unchanged: int = 0
    rejected: int = 0


def _import_chunk(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    live: LiveUpdates,
    import_id: int,
    campaign_id: int,
    chunk: list[Record | RowProblem],
    width: int,
    index: dict[str, int],
    seen: dict[str, int],
    number_key: bytes,
) -> bool:
    """Write one chunk and the import's progress together; False (writing nothing) when the import
    is no longer running, e.g. an erasure removed its upload meanwhile."""
    parsed = [
        voter_rows.parse_row(item, width, index) if isinstance(item, Record) else item for item in chunk
    ]
    with uow_factory() as uow:
        # Imports into one campaign take turns, chunk by chunk, so neither adds a person the other
        # has just added (nothing in the schema could refuse it: people may share a number).
        row_locks.hold(uow.session, Campaign, campaign_id, "name")
        row = uow.session.get(VoterImport, import_id, with_for_update=True)
        if row is None or row.status != "running":
            return False
        tally, problems = _write_chunk(uow.session, clock, row, parsed, seen, number_key)
        row.processed_rows += len(chunk)
        row.imported += tally.imported
        row.merged += tally.merged
        row.unchanged += tally.unchanged
        row.rejected += tally.rejected
        if problems:
            row.errors = [*row.errors, *problems]
        uow.session.add(row)
        uow.commit()
        live.publish(room(import_id), PROGRESS_EVENT, Progress.of(row).as_dict())
        return True


def _write_chunk(
    session: Session,
    clock: Clock,
    upload: VoterImport,
    parsed: list[VoterRow | RowProblem],
    seen: dict[str, int],
    number_key: bytes,
) -> tuple[_Tally, list[dict[str, Any]]]:
    campaign_id = upload.campaign_id
    tally = _Tally()
    problems: list[dict[str, Any]] = []
    good = [item for item in parsed if isinstance(item, VoterRow)]
    known = _known_voters(session, campaign_id, good)
    new: dict[str, dict[str, Any]] = {}
    changed: dict[int, dict[str, Any]] = {}
    for item in parsed:
        if isinstance(item, RowProblem):
            problems.append({"line": item.line, "kind": "error", "reason": item.reason})
            tally.rejected += 1
            continue
        key = item.key()
        first = seen.setdefault(key, item.line)
        if key in new:
            _merge(new[key], item)
            problems.append(_merged_with_line(item.line, first, key))
            tally.merged += 1
        elif (match := _match(known, changed, item, key)) is not None:
            voter_id = match["id"]
            before = changed.get(voter_id, match)
            after = dict(before)
            _merge(after, item)
            renumbered = bool(item.phone_e164) and item.phone_e164 != before["phone_e164"]
            if first != item.line:  # earlier in this file, written by an earlier chunk
                problems.append(_merged_with_line(item.line, first, key))
            elif after != before or renumbered:
                problems.append(_merged_with_voter(item.line, voter_id, key, renumbered=renumbered))
            else:
                tally.unchanged += 1
                continue
            changed[voter_id] = after
            tally.merged += 1
        else:
            new[key] = _fresh(item, campaign_id, clock)
            tally.imported += 1
    written = [*new.values(), *changed.values()]
    opted_out = {values["phone_e164"] for values in written if values["do_not_call"]}
    erased = suppression.erased_among(session, {v["phone_e164"] for v in written} - {None}, number_key)
    for values in written:
        if values["phone_e164"] in erased:
            values["do_not_call"] = True  # never queued (every row has this key: one bulk write)
    if new:
        session.exec(insert(Voter), params=list(new.values()))
    if changed:
        session.exec(update(Voter), params=list(changed.values()))
    suppression.suppress_numbers(
        session, clock, opted_out - {None}, Reason.OPT_OUT, f"voter import {upload.id}", Actor(upload.user_id)
    )
    return tally, problems


def _known_voters(session: Session, campaign_id: int, rows: list[VoterRow]) -> dict[str, dict[str, Any]]:
    """The campaign's existing voters that rows of this chunk could be, under every key that finds them
    (a voter with a reference is also found by name and number, or name and address, by a file that
    has no reference column)."""
    refs = {row.external_id for row in rows if row.external_id}
    phones = {row.phone_e164 for row in rows if row.phone_e164}
    postcodes = {row.postcode for row in rows if not row.phone_e164}
    columns = [getattr(Voter, name) for name in ("id", "phone_e164", "tps", "do_not_call", *_TEXT_FIELDS)]
    conditions = []
    if refs:
        conditions.append(col(Voter.external_id).in_(refs))
    if phones:
        conditions.append(col(Voter.phone_e164).in_(phones))
    if postcodes:
        conditions.append(col(Voter.postcode).in_(postcodes))
    found: dict[str, dict[str, Any]] = {}
    if not conditions:
        return found
    records = session.exec(
        select(*columns)
        .where(Voter.campaign_id == campaign_id, col(Voter.erased_at).is_(None), or_(*conditions))
        .order_by(col(Voter.id))
    )
    for record in records:
        values = dict(record._mapping)
        for key in _keys_of(values):
            found.setdefault(key, values)
    return found


def _match(
    known: dict[str, dict[str, Any]], changed: dict[int, dict[str, Any]], row: VoterRow, key: str
) -> dict[str, Any] | None:
    """The stored voter this row is: by its key, or, for a row with a reference that no voter has yet,
    a voter with no reference and the same name and number (or address): the same list imported
    before the reference column was added."""
    found = known.get(key)
    if found is None and row.external_id:
        other = known.get(voter_rows.person_key("", *row.without_reference()))
        if other is not None and not changed.get(other["id"], other)["external_id"]:
            return other
    return found


def _keys_of(values: dict[str, Any]) -> list[str]:
    """Every key a row could have and still be this stored voter."""
    names = (values["first_name"], values["last_name"])
    keys = []
    if values["external_id"]:
        keys.append(voter_rows.person_key(values["external_id"], *names, None, "", ""))
    if values["phone_e164"]:
        keys.append(voter_rows.person_key("", *names, values["phone_e164"], "", ""))
    keys.append(voter_rows.person_key("", *names, None, values["address"], values["postcode"]))
    return keys


def _merged_with_line(line: int, first: int, key: str) -> dict[str, Any]:
    how = voter_rows.key_kind(key)
    return {
        "line": line,
        "kind": "duplicate",
        "same_as_line": first,
        "reason": f"same person as line {first} (same {how}); merged",
    }


def _merged_with_voter(line: int, voter_id: int, key: str, *, renumbered: bool) -> dict[str, Any]:
    how = voter_rows.key_kind(key)
    # A voter's number is not changed by an import: the call queue holds numbers by voter, and a
    # number changed under it could be in two calls at once. The report says so instead.
    kept = "; the file has another phone number for them, which was not changed" if renumbered else ""
    return {
        "line": line,
        "kind": "merged",
        "same_as_voter": voter_id,
        "reason": f"same person as voter {voter_id}, already in the campaign (same {how}); updated{kept}",
    }


def _fresh(row: VoterRow, campaign_id: int, clock: Clock) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "external_id": row.external_id,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "phone_e164": row.phone_e164,
        "postcode": row.postcode,
        "address": row.address,
        "area": row.area,
        "tps": row.tps,
        "do_not_call": row.do_not_call,
        "attempts": 0,
        "done": False,
        "created_at": clock.now(),
    }


def _merge(values: dict[str, Any], row: VoterRow) -> None:
    """A later row updates what it says; it never clears a field or a TPS/do-not-call flag."""
    for name in _TEXT_FIELDS:
        new = getattr(row, name)
        if new:
            values[name] = new
    values["tps"] = bool(values["tps"]) or row.tps
    values["do_not_call"] = bool(values["do_not_call"]) or row.do_not_call


def _set(uow_factory: Callable[[], UnitOfWork], live: LiveUpdates, import_id: int, **changes: Any) -> None:
    with uow_factory() as uow:
        row = uow.session.get(VoterImport, import_id)
        assert row is not None
        for name, value in changes.items():
            setattr(row, name, value)
        uow.session.add(row)
        uow.commit()
        live.publish(room(import_id), PROGRESS_EVENT, Progress.of(row).as_dict())


def _finish(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    live: LiveUpdates,
    import_id: int,
    *,
    status: str,
    failure: str = "",
) -> Progress:
    """Close the import and drop the uploaded file (data minimisation: the voters are the record now)."""
    with uow_factory() as uow:
        row = uow.session.get(VoterImport, import_id)
        assert row is not None
        row.status = status
        row.failure = failure[:300]
        row.finished_at = clock.now()
        uow.session.add(row)
        uow.session.exec(delete(VoterImportFile).where(col(VoterImportFile.import_id) == import_id))
        result = Progress.of(row)
        audit.record(
            uow.session,
            clock,
            Actor(row.user_id),  # who started it: the job finishes their import
            Action.VOTERS_IMPORTED,
            subject_type="voter_import",
            subject_id=import_id,
            detail={
                "campaign": row.campaign_id,
                "status": status,
                "imported": result.imported,
                "merged": result.merged,
                "rejected": result.rejected,
            },
        )
        uow.commit()
    live.publish(room(import_id), PROGRESS_EVENT, result.as_dict())
    return result


def _failure(exc: Exception) -> str:
    """Why a whole import failed, for the organiser: our own errors say it plainly; any other error
    is named by its kind and first line only (a database error's later lines repeat the row's values,
    names and numbers that must not be kept in the import's record)."""
    if isinstance(exc, DialerError):
        return str(exc)
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first_line = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {first_line}" if first_line else type(cause).__name__


def problems_of(row: VoterImport) -> Iterator[dict[str, Any]]:
    """The import's reported rows in line order."""
    yield from sorted(row.errors, key=lambda problem: problem["line"])
