"""Alembic's migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from dialer.adapters import db, schema
from tests.conftest import EXTERNAL_DATABASE_URL, drop_everything
from tests.parallel_workers import ensure_database

pytestmark = pytest.mark.integration

BACKENDS = ["sqlite"] + (["external"] if EXTERNAL_DATABASE_URL.startswith("postgresql") else [])


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    else:
        # A database of its own (named after the suite's), so the shared one is left alone.
        base, name = EXTERNAL_DATABASE_URL.rsplit("/", 1)
        scratch = f"{name}_migrations"
        ensure_database(EXTERNAL_DATABASE_URL)  # a worker's own may not exist yet if this runs first
        admin = db.make_engine(EXTERNAL_DATABASE_URL)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
        admin.dispose()
        engine = db.make_engine(f"{base}/{scratch}")
    yield engine
    drop_everything(engine)
    engine.dispose()


def test_upgrading_an_empty_database_gives_the_models_tables(empty_engine):
    schema.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_upgrading_twice_changes_nothing(empty_engine):
    schema.upgrade(empty_engine)
    schema.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        tables = set(empty_engine.dialect.get_table_names(connection))
    assert set(SQLModel.metadata.tables) | {"alembic_version"} == tables
