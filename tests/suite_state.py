"""The state every test starts from: the suite's settings, and a database emptied of its rows.

Plain functions, for the fixtures in tests/conftest.py and for the module-scoped set-ups that cannot
use function-scoped fixtures (the rehearsal, the access matrix's world).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from dialer.adapters.live import RecordingLiveUpdates
from dialer.bootstrap import Services, build
from dialer.clock import SimClock
from dialer.config import Mode, Settings
from dialer.ports import Telephony


def suite_settings(session_dir: Path, redis_url: str, engine: Engine, **overrides: Any) -> Settings:
    """The settings tests run the product with (test mode, the session's database and Redis)."""
    return Settings(
        mode=Mode.TEST,
        instance_path=session_dir,
        database_url=engine.url.render_as_string(hide_password=False),
        redis_url=redis_url,
        secret_key="test-secret-key-not-for-production",
        public_base_url="http://localhost",
        **overrides,
    )


def services_on_the_clock(
    settings: Settings, engine: Engine, redis: Any, redis_url: str, clock: SimClock, telephony: Telephony
) -> Services:
    """The product's services with their jobs run in this process on the SimClock, screens' events
    recorded, and the suite's fast password hashing."""
    from dialer.adapters.clock_jobs import ClockJobQueue
    from tests.people import FAST_PASSWORDS

    return build(
        settings,
        engine=engine,
        redis=redis,
        redis_url=redis_url,
        clock=clock,
        live=RecordingLiveUpdates(),
        telephony=telephony,
        jobs=ClockJobQueue(clock),
        passwords=FAST_PASSWORDS,
    )


def empty_tables(engine: Engine, *, keep: Collection[str] = ()) -> None:
    """Delete every row, children before parents; the tables named in `keep` stay as they are."""
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in keep:
                connection.execute(table.delete())


#: Tables a refused request may still change (the audit log records refusals, its chain head moves)
#: and the reference data no request writes: left out of `domain_snapshot`.
NOT_COMPARED = frozenset(
    {
        "auditentry",
        "auditchainhead",
        "constituency",
        "postcode",
        "postcodedistrict",
        "constituencypoint",
        "electionresult",
    }
)


def domain_snapshot(engine: Engine) -> dict[str, str]:
    """Every domain table's rows, digested in one statement: two snapshots are equal when no request
    wrote. (Reading each table's rows back into Python, twice for each request of the access matrix
    and the fuzz, was most of their time.)"""
    tables = [table for table in SQLModel.metadata.sorted_tables if table.name not in NOT_COMPARED]
    quote = engine.dialect.identifier_preparer.quote
    if engine.dialect.name == "postgresql":
        digests = [
            "(SELECT coalesce(md5(string_agg(whole_row::text, chr(10) ORDER BY whole_row::text)), '')"
            f" FROM {quote(table.name)} whole_row)"
            for table in tables
        ]
    else:
        digests = [
            "(SELECT coalesce(group_concat(r, char(10)), '') FROM (SELECT "
            + " || ',' || ".join(f"quote({quote(column.name)})" for column in table.columns)
            + f" AS r FROM {quote(table.name)} ORDER BY r))"
            for table in tables
        ]
    with engine.connect() as connection:
        row = connection.execute(text("SELECT " + ", ".join(digests))).one()
    return {table.name: digest for table, digest in zip(tables, row, strict=True)}
