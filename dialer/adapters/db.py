"""SQL engines, sessions and the unit of work; the only place that commits."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlmodel import Session, create_engine

from dialer.errors import StartupError


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for `url`; SQLite gets WAL and a busy timeout so web and workers can share it."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise StartupError(
            "DATABASE_URL is not a database URL (expected e.g. postgresql://user@host:5432/name)"
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
            sa.event.listen(engine, "connect", _tune_sqlite)
        else:
            engine = create_engine(
                parsed, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True
            )
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise StartupError(f"DATABASE_URL cannot be used ({exc.__class__.__name__}: {exc})") from None
    return engine


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def check_connection(engine: Engine) -> None:
    """Raise StartupError with one line when the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        where = engine.url.render_as_string(hide_password=True)
        raise StartupError(f"cannot reach the database (DATABASE_URL={where}): {reason}") from None


#: One lock per SQLite engine: a process's units of work on SQLite take turns (see SqlUnitOfWork).
_sqlite_turns: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()


def _turns(engine: Engine) -> threading.RLock | None:
    if engine.dialect.name != "sqlite":
        return None
    return _sqlite_turns.setdefault(engine, threading.RLock())


class SqlUnitOfWork:
    """A transaction: `with uow:` opens a session; nothing is kept unless commit() is called.

    On SQLite, units of work in one process take turns. SQLite has one writer at a time and waits
    for the lock inside C; under gevent that wait blocks every greenlet of the process, including
    one holding the write lock while it waits on Redis or HTTP, so both sat out the 30 s busy
    timeout and failed ("database is locked"). Taking turns on a (gevent-aware, reentrant) lock
    first lets the holder finish. PostgreSQL needs none of this.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session: Session | None = None
        self._turns = _turns(engine)

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        return self._session

    def __enter__(self) -> SqlUnitOfWork:
        if self._turns is not None:
            self._turns.acquire()
        self._session = Session(self.engine, expire_on_commit=False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            # Objects read inside the block stay readable after it (detached, not expired by rollback).
            session.expunge_all()
            session.rollback()
        finally:
            session.close()
            self._session = None
            if self._turns is not None:
                self._turns.release()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed on success (for scripts and seeding, not for use cases)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()
