"""`dialer postcodes load FILE`: a postcode file (the ONS Postcode Directory, or postcode,latitude,
longitude[,constituency]) written into the postcode table, streamed and in batches.

The file is read a row at a time (the ONSPD has some 2.7 million), checked row by row
(dialer/domain/postcode_files.py), and written a batch at a time, each batch committed with one
multi-row INSERT ... ON CONFLICT DO UPDATE (SQLite and PostgreSQL both have it), so a second load of
the same file changes nothing and a newer edition overwrites the older. A bad row is reported with
its line number and does not stop the load. A constituency code is put under the boundary set whose
seats hold it (the ONSPD's `pcon` names the 2024 seats since its 2024 editions; older ones, 2010's);
a code that neither set holds is a bad row. The shipped district centres are untouched: a postcode
not in any loaded file is still placed at its district's centre.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from dialer.domain.elections import BoundarySet
from dialer.domain.postcode_files import Columns, PostcodePoint, Skip, read_row
from dialer.errors import InvalidInput, StartupError
from dialer.models import ConstituencyPoint, Postcode

BATCH = 5000
#: Bad rows are all counted; this many are kept to be reported line by line.
REPORTED_ERRORS = 100


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class PostcodeLoad:
    """How a load went, so far (progress) or in the end."""

    rows: int = 0
    loaded: int = 0
    skipped: dict[Skip, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        skipped = "".join(
            f", {count:,} {reason.value} skipped" for reason, count in self.skipped.items() if count
        )
        return (
            f"{self.rows:,} rows read, {self.loaded:,} postcodes loaded{skipped}, "
            f"{self.error_count:,} bad rows in {self.seconds:.1f} s"
        )


def load_postcodes(
    engine: Engine,
    path: Path,
    *,
    progress: Callable[[PostcodeLoad], None] | None = None,
    progress_every: int = 100_000,
    batch: int = BATCH,
) -> PostcodeLoad:
    """Load the file into the postcode table; InvalidInput when it is not a postcode file at all."""
    started = time.perf_counter()
    seat_sets = _seat_sets(engine)
    report = PostcodeLoad()
    pending: dict[str, dict[str, object]] = {}
    next_progress = progress_every
    for line, point in _points(path, report):
        sets = _boundary_sets(point, seat_sets)
        if sets is None:
            _refuse(report, line, f"constituency {point.constituency} is not a Westminster seat we hold")
            continue
        pending[point.postcode] = {
            "postcode": point.postcode,
            "outcode": point.outcode,
            "lat": point.lat,
            "lon": point.lon,
            "pcon_2010_code": sets.get(BoundarySet.REVIEW_2010),
            "pcon_2024_code": sets.get(BoundarySet.REVIEW_2023),
        }
        if len(pending) >= batch:
            _write(engine, pending, report)
        if progress is not None and report.rows >= next_progress:
            next_progress += progress_every
            report.seconds = time.perf_counter() - started
            progress(report)
    _write(engine, pending, report)
    report.seconds = time.perf_counter() - started
    return report


def _points(path: Path, report: PostcodeLoad) -> Iterator[tuple[int, PostcodePoint]]:
    try:
        source = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    with source:
        reader = csv.DictReader(source)
        columns = Columns.from_header(reader.fieldnames)
        try:
            for row in reader:
                report.rows += 1
                try:
                    result = read_row(columns, row)
                except InvalidInput as wrong:
                    _refuse(report, reader.line_num, str(wrong))
                    continue
                if isinstance(result, Skip):
                    report.skipped[result] = report.skipped.get(result, 0) + 1
                else:
                    yield reader.line_num, result
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{path}, line {reader.line_num}: not a readable CSV file ({exc})") from None


def _refuse(report: PostcodeLoad, line: int, message: str) -> None:
    report.error_count += 1
    if len(report.errors) < REPORTED_ERRORS:
        report.errors.append(RowError(line, message))


def _seat_sets(engine: Engine) -> dict[str, BoundarySet]:
    """Every seat's ONS code with its boundary set (the seats `dialer seed` loaded)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(ConstituencyPoint.boundary_set, ConstituencyPoint.ons_code)).all()  # type: ignore[call-overload]
    if not rows:
        raise StartupError("no constituencies are loaded yet: run `dialer seed` first")
    return {code: BoundarySet(bset) for bset, code in rows}


def _boundary_sets(point: PostcodePoint, seat_sets: dict[str, BoundarySet]) -> dict[BoundarySet, str] | None:
    if point.constituency is None:
        return {}
    boundary_set = seat_sets.get(point.constituency)
    return None if boundary_set is None else {boundary_set: point.constituency}


def _write(engine: Engine, pending: dict[str, dict[str, object]], report: PostcodeLoad) -> None:
    if not pending:
        return
    with engine.begin() as connection:
        _upsert(connection, list(pending.values()))
    report.loaded += len(pending)
    pending.clear()


def _upsert(connection: Connection, rows: list[dict[str, object]]) -> None:
    """Insert or update; a constituency the file does not give keeps the one already held."""
    table = Postcode.__table__  # type: ignore[attr-defined]
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise StartupError(f"loading postcodes supports SQLite and PostgreSQL, not {dialect}")
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    kept = {
        name: sa.func.coalesce(insert.excluded[name], table.c[name])
        for name in ("pcon_2010_code", "pcon_2024_code")
    }
    changing = {
        "outcode": insert.excluded.outcode,
        "lat": insert.excluded.lat,
        "lon": insert.excluded.lon,
    } | kept
    connection.execute(insert.on_conflict_do_update(index_elements=["postcode"], set_=changing), rows)
