"""Shared fixtures: one database and one Redis per test session, emptied between tests.

The backends follow the environment, as the product does: DATABASE_URL and REDIS_URL select
PostgreSQL and an external Redis (CI's second run); unset, SQLite and an embedded Redis are used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_lib
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from dialer.adapters import db, redis_server, schema
from dialer.adapters.live import RecordingLiveUpdates
from dialer.bootstrap import Services, build
from dialer.clock import SimClock
from dialer.config import Mode, Settings
from tests.people import FAST_PASSWORDS, client_as, world  # noqa: F401  (fixtures: accounts of every role)

EXTERNAL_DATABASE_URL = os.environ.get("DATABASE_URL", "")
EXTERNAL_REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def engine(session_dir: Path) -> Iterator[Engine]:
    """The session's database, migrated from empty with Alembic."""
    url = EXTERNAL_DATABASE_URL or f"sqlite:///{session_dir / 'test.db'}"
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
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    return engine


@pytest.fixture(scope="session")
def redis_url(session_dir: Path) -> str:
    return EXTERNAL_REDIS_URL or redis_server.embedded_server(session_dir)


@pytest.fixture
def redis(redis_url: str) -> Iterator[redis_lib.Redis]:
    """The session's Redis, emptied before each test."""
    client = redis_server.connect(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def settings(session_dir: Path, redis_url: str, engine: Engine) -> Settings:
    return Settings(
        mode=Mode.TEST,
        instance_path=session_dir,
        database_url=engine.url.render_as_string(hide_password=False),
        redis_url=redis_url,
        secret_key="test-secret-key-not-for-production",
        public_base_url="http://localhost",
    )


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def services(
    settings: Settings, clean_db: Engine, redis: redis_lib.Redis, redis_url: str, clock: SimClock
) -> Services:
    return build(
        settings,
        engine=clean_db,
        redis=redis,
        redis_url=redis_url,
        clock=clock,
        live=RecordingLiveUpdates(),
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
    from dialer.adapters.clock_jobs import ClockJobQueue
    from workers import context

    built = build(
        settings,
        engine=clean_db,
        redis=redis,
        redis_url=redis_url,
        clock=clock,
        live=RecordingLiveUpdates(),
        telephony=telephony,
        jobs=ClockJobQueue(clock),
        passwords=FAST_PASSWORDS,
    )
    context.use(built)
    yield built
    context.use(None)


@pytest.fixture
def bank(dialer_services: Services):
    return dialer_services.phone_bank
