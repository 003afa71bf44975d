"""Issue 10, acceptance 2: each fault drill passes every check, at small N, on a real deployment.

One loopback deployment (harness.loopback) serves every drill in turn: two web processes behind the
balancer, two RQ workers, the simulator on a clock 20 times the wall clock, five volunteers calling
through "call my phone" and two organiser dashboards. After each fault the phone bank is paused and
settled, then: no outcome a volunteer was told was saved is missing, no voter was in two calls at
once, no seat is stuck (and the seat board agrees with SQL), every call has a final status, the
dashboards' totals equal a recount from SQL, and calls were placed again after the fault.

The database is SQLite in a temporary folder, or with DATABASE_URL a `<name>_drills` PostgreSQL
database beside the suite's (emptied here); Redis is the deployment's own server, or REDIS_URL's
database (the Redis drill then flushes it instead of restarting it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine.url import make_url

from dialer.adapters import db
from harness.loopback.deployment import Shape
from harness.loopback.drills import DRILLS, Load, Rig, run_drill

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: How long each fault (or the load after it) lasts, in real seconds.
DRILL_SECONDS = 4.0


def drills_database() -> str | None:
    """A PostgreSQL database of the drills' own beside the suite's (it is emptied), or None: SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return None
    parsed = make_url(url)
    name = f"{parsed.database}_drills"
    admin = db.make_engine(url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if (
            connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            is None
        ):
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    shape = Shape(
        web=2,
        workers=2,
        speed=20,
        cps=20,
        database_url=drills_database(),
        redis_url=os.environ.get("REDIS_URL") or None,
    )
    # Seven drills in a row dial about 30 voters each (nobody is dialled twice in a day): enough voters
    # that the last drill is not judged on a list the first six used up.
    load = Load(volunteers=5, voters_per_volunteer=100, dashboards=2, talk_s=(20.0, 60.0))
    with Rig(shape, load, tmp_path_factory.mktemp("drills")) as running:
        yield running


@pytest.mark.timeout(600)  # the module's deployment starts inside the first test's time
@pytest.mark.parametrize("drill", DRILLS)
def test_after_the_fault_nothing_is_lost_nobody_is_called_twice_and_nothing_is_stuck(
    rig: Rig, drill: str
) -> None:
    result = run_drill(rig, drill, seconds=DRILL_SECONDS)
    assert result.ok, f"{drill} {result.facts}:\n" + "\n".join(str(v) for v in result.verdicts)
