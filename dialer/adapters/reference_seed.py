"""`dialer seed`: the shipped reference data written into SQL, idempotently and in bulk.

Each table is compared with the files first, and only rows that are new or differ are written, with
one multi-row INSERT ... ON CONFLICT DO UPDATE per batch (SQLite and PostgreSQL both have it). A
second run therefore writes nothing at all, and two seeders racing cannot create duplicates.
Columns organisers own (a seat's volunteer target) are never overwritten.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from dialer.adapters.reference_data import DATA_DIR, ReferenceData, read_reference_data
from dialer.errors import StartupError
from dialer.models import Constituency, ConstituencyPoint, ElectionResult, Postcode, PostcodeDistrict

_BATCH = 1000


@dataclass(frozen=True)
class TableSeeded:
    table: str
    rows: int
    inserted: int
    updated: int


@dataclass(frozen=True)
class SeedReport:
    tables: list[TableSeeded]
    seconds: float

    @property
    def changed(self) -> int:
        return sum(t.inserted + t.updated for t in self.tables)

    def summary(self) -> str:
        parts = ", ".join(
            f"{t.rows:,} {t.table} ({t.inserted:,} new, {t.updated:,} updated)" for t in self.tables
        )
        return f"reference data: {parts} in {self.seconds:.2f} s"


#: Tables in dependency order, with the columns that identify a row.
_TABLES: list[tuple[type[SQLModel], tuple[str, ...], str]] = [
    (Constituency, ("ons_code",), "constituencies"),
    (ConstituencyPoint, ("boundary_set", "ons_code"), "reference points"),
    (ElectionResult, ("election", "ons_code"), "results"),
    (PostcodeDistrict, ("outcode",), "postcode districts"),
    (Postcode, ("postcode",), "postcodes"),
]


def seed_reference_data(engine: Engine, data: ReferenceData | None = None) -> SeedReport:
    """Bring the reference tables in line with data/ in one transaction; report what changed."""
    started = time.perf_counter()
    data = data or read_reference_data(DATA_DIR)
    rows_by_table = {
        Constituency: data.constituencies,
        ConstituencyPoint: data.points,
        ElectionResult: data.results,
        PostcodeDistrict: data.districts,
        Postcode: data.postcodes,
    }
    reports = []
    try:
        with engine.begin() as connection:
            for model, key, label in _TABLES:
                rows = rows_by_table[model]
                reports.append(_sync(connection, _table(model), key, rows, label))
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise StartupError(
            f"cannot seed the database ({reason}): run `dialer db upgrade` first if it is new"
        ) from None
    return SeedReport(reports, time.perf_counter() - started)


def _table(model: type[SQLModel]) -> sa.Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table


def _sync(
    connection: Connection, table: sa.Table, key: tuple[str, ...], rows: list[dict[str, Any]], label: str
) -> TableSeeded:
    columns = list(rows[0])
    existing = {
        tuple(row[k] for k in key): dict(row)
        for row in connection.execute(sa.select(*(table.c[c] for c in columns))).mappings()
    }
    inserted = updated = 0
    pending = []
    for row in rows:
        before = existing.get(tuple(row[k] for k in key))
        if before is None:
            inserted += 1
        elif before != row:
            updated += 1
        else:
            continue
        pending.append(row)
    for start in range(0, len(pending), _BATCH):
        _upsert(connection, table, key, columns, pending[start : start + _BATCH])
    return TableSeeded(label, len(rows), inserted, updated)


def _upsert(
    connection: Connection,
    table: sa.Table,
    key: tuple[str, ...],
    columns: Sequence[str],
    rows: list[dict[str, Any]],
) -> None:
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise StartupError(f"seeding supports SQLite and PostgreSQL, not {dialect}")
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    changing = {c: insert.excluded[c] for c in columns if c not in key}
    statement = (
        insert.on_conflict_do_update(index_elements=list(key), set_=changing)
        if changing
        else insert.on_conflict_do_nothing(index_elements=list(key))
    )
    connection.execute(statement, rows)
