"""Shared fixtures: one database and one Redis per test session, emptied between tests.

The backends follow the environment, as the product does: DATABASE_URL and REDIS_URL select
PostgreSQL and an external Redis (CI's second run); unset, SQLite and an embedded Redis are used.
Run in parallel, each pytest-xdist worker has databases and a Redis of its own (tests/parallel_workers.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import redis as redis_lib
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlmodel import SQLModel

from dialer.adapters import db, redis_server, schema
from dialer.adapters.live import RecordingLiveUpdates
from dialer.bootstrap import Services, build
from dialer.clock import SimClock
from dialer.config import Settings
from dialer.ports import Telephony
from dialer.services.geography.seat_finder import SeatFinder, SeatReference, load_seat_reference
from tests.parallel_workers import WORKER_DATABASE_URL, WORKER_REDIS_URL, ensure_database
from tests.people import FAST_PASSWORDS, client_as, world  # noqa: F401  (fixtures: accounts of every role)
from tests.suite_state import empty_tables, services_on_the_clock, suite_settings

EXTERNAL_DATABASE_URL = WORKER_DATABASE_URL  # DATABASE_URL, or in an xdist worker that worker's own
EXTERNAL_REDIS_URL = WORKER_REDIS_URL

# Hypothesis's per-example deadline is a timing assertion: on a busy machine it fails correct code.
hypothesis.settings.register_profile("marginal", deadline=None)
hypothesis.settings.load_profile("marginal")


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def engine(session_dir: Path) -> Iterator[Engine]:
    """The session's database, migrated from empty with Alembic."""
    url = EXTERNAL_DATABASE_URL or f"sqlite:///{session_dir / 'test.db'}"
    ensure_database(url)
    engine = db.make_engine(url)
    drop_everything(engine)
    schema.upgrade(engine)
    yield engine
    engine.dispose()


def drop_everything(engine: Engine) -> None:
    """Return a (possibly shared) database to empty, including Alembic's own table."""
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def clean_db(engine: Engine) -> Engine:
    """The database with every table emptied."""
    empty_tables(engine)
    return engine


@pytest.fixture(scope="session")
def redis_url(session_dir: Path) -> Iterator[str]:
    if EXTERNAL_REDIS_URL:
        yield EXTERNAL_REDIS_URL
        return
    yield redis_server.embedded_server(session_dir)
    redis_server.stop_embedded_server(session_dir)


@pytest.fixture
def redis(redis_url: str) -> Iterator[redis_lib.Redis]:
    """The session's Redis, emptied before each test."""
    client = redis_server.connect(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def settings(session_dir: Path, redis_url: str, engine: Engine) -> Settings:
    return suite_settings(session_dir, redis_url, engine)


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def services(
    settings: Settings, clean_db: Engine, redis: redis_lib.Redis, redis_url: str, clock: SimClock, telephony
) -> Services:
    """The app's services on the session's database and Redis; the provider is the recording fake
    (tests that talk to the simulator build their own), so nothing is ever sent to SIMULATOR_URL."""
    return build(
        settings,
        engine=clean_db,
        redis=redis,
        redis_url=redis_url,
        clock=clock,
        live=RecordingLiveUpdates(),
        telephony=telephony,
        passwords=FAST_PASSWORDS,
    )


@pytest.fixture
def app(services: Services) -> Flask:
    from web import create_app

    return create_app(services=services)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- the phone bank: real SQL and Redis, a recording telephony provider, jobs on the SimClock ---------


@pytest.fixture
def telephony():
    from tests.telephony_fakes import FakeTelephony

    return FakeTelephony()


@pytest.fixture
def dialer_services(
    settings: Settings, clean_db: Engine, redis: redis_lib.Redis, redis_url: str, clock: SimClock, telephony
) -> Iterator[Services]:
    """Services whose jobs run in this process on the SimClock (workers.context points at them)."""
    from workers import context

    built = services_on_the_clock(settings, clean_db, redis, redis_url, clock, telephony)
    context.use(built)
    yield built
    context.use(None)


@pytest.fixture
def bank(dialer_services: Services):
    return dialer_services.phone_bank


# --- the real election and postcode data, loaded once per session -------------------------------

#: Tables `dialer seed` fills; tests on the seeded database may read them but never change them.
REFERENCE_TABLES = frozenset(
    {"constituency", "constituencypoint", "electionresult", "postcodedistrict", "postcode"}
)


@pytest.fixture(scope="session")
def seeded_engine(session_dir: Path) -> Iterator[Engine]:
    """A second database, migrated and seeded with data/ once, so real-data tests stay fast."""
    from dialer.adapters.reference_seed import seed_reference_data

    if EXTERNAL_DATABASE_URL:
        url = make_url(EXTERNAL_DATABASE_URL)
        reference = url.set(database=f"{url.database}_reference").render_as_string(hide_password=False)
        ensure_database(reference)
        engine = db.make_engine(reference)
    else:
        engine = db.make_engine(f"sqlite:///{session_dir / 'reference.db'}")
    drop_everything(engine)
    schema.upgrade(engine)
    seed_reference_data(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded_db(seeded_engine: Engine) -> Engine:
    """The seeded database with everything but the reference data emptied."""
    empty_tables(seeded_engine, keep=REFERENCE_TABLES)
    return seeded_engine


@pytest.fixture(scope="session")
def seat_reference(seeded_engine: Engine) -> SeatReference:
    """The seeded seats and postcodes as the look-up holds them, read once for the whole session."""
    with db.SqlUnitOfWork(seeded_engine) as uow:
        return load_seat_reference(uow.session)


@pytest.fixture
def seeded_services(
    settings: Settings,
    seeded_db: Engine,
    seat_reference: SeatReference,
    redis: redis_lib.Redis,
    redis_url: str,
    clock: SimClock,
    telephony: Telephony,
) -> Services:
    """As `services`, on the seeded database (the provider is the recording fake here too)."""
    services = build(
        settings,
        engine=seeded_db,
        redis=redis,
        redis_url=redis_url,
        clock=clock,
        live=RecordingLiveUpdates(),
        telephony=telephony,
    )
    services.seat_finder = SeatFinder(services.uow, clock, reference=seat_reference)
    return services


@pytest.fixture
def seeded_app(seeded_services: Services) -> Flask:
    from web import create_app

    return create_app(services=seeded_services)


@pytest.fixture
def seeded_client(seeded_app: Flask) -> FlaskClient:
    return seeded_app.test_client()
