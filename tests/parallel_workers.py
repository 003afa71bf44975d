"""What each pytest-xdist worker has to itself, so tests running side by side never share state.

`scripts/test` runs the suite in several worker processes ("gw0", "gw1", ...). Each worker gets:
- its own PostgreSQL databases: DATABASE_URL's name with `_gw0` added (created on first use, then
  reused: the session migrates it from empty), and from that its `_reference` and `_migrations` ones;
- its own Redis database number: REDIS_URL's plus the worker's number plus one (`/7` gives gw0 `/8`);
- its own instance folder and embedded Redis, since pytest's temporary folders are per worker;
- its own block of loopback ports for child processes (`free_port`).

Importing this module in a worker points DATABASE_URL and REDIS_URL at the worker's own, so
anything that reads the environment (the CLI, `workers.context`, child processes) stays inside it.
Outside xdist (`scripts/test tests/x.py`, or `-p no:xdist`) the URLs are used as given.
"""

from __future__ import annotations

import itertools
import os
import random
import socket
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, urlencode, urlsplit

import sqlalchemy as sa
from redis.connection import parse_url
from sqlalchemy.engine.url import make_url

#: "gw0", "gw1", ... in a pytest-xdist worker; empty in a run without xdist.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_NUMBER = int(WORKER.removeprefix("gw")) if WORKER else 0

#: The URLs the suite was given, before each worker takes its own from them.
GIVEN_DATABASE_URL = os.environ.get("DATABASE_URL", "")
GIVEN_REDIS_URL = os.environ.get("REDIS_URL", "")

#: Child processes listen on ports below the kernel's ephemeral range (32768 and up on Linux), where
#: no outgoing connection is given one, each worker in its own block, so no other worker's probe
#: can take a port between `free_port` finding it and the child binding it.
PORTS_FROM, PORTS_PER_WORKER, PORT_BLOCKS = 20000, 1000, 12


def worker_database_url(url: str) -> str:
    """The database this worker uses in place of `url`'s (`test` -> `test_gw0`); `url` outside xdist."""
    if not url or not WORKER:
        return url
    parsed = make_url(url)
    if not parsed.database:
        raise ValueError(f"DATABASE_URL names no database to derive the workers' from: {url}")
    if parsed.get_backend_name() == "sqlite":
        path = PurePosixPath(parsed.database)
        return parsed.set(database=str(path.with_stem(f"{path.stem}_{WORKER}"))).render_as_string(
            hide_password=False
        )
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


def worker_redis_url(url: str) -> str:
    """The Redis database number this worker uses in place of `url`'s: one past it per worker."""
    if not url or not WORKER:
        return url
    return on_redis_database(url, int(parse_url(url).get("db", 0)) + WORKER_NUMBER + 1)


def on_redis_database(url: str, number: int) -> str:
    """`url` with its Redis database number set to `number` (a unix:// socket's goes in `?db=`)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    path = parts.path
    if parts.scheme == "unix":
        query["db"] = str(number)
    else:
        query.pop("db", None)
        path = f"/{number}"
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{urlencode(query)}" if query else "")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database `url` names if it does not exist (through the given database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(GIVEN_DATABASE_URL or url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            )
            if found.first() is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    finally:
        admin.dispose()


_FIRST_PORT = PORTS_FROM + (WORKER_NUMBER % PORT_BLOCKS) * PORTS_PER_WORKER
# Each call moves on, so ports found before their children bind them differ; the random start keeps
# other test runs on the same machine from walking the block in step with this one.
_turns = itertools.count(random.randrange(PORTS_PER_WORKER))


def free_port() -> int:
    """A loopback port nothing listens on, from this worker's own block, for a child process to bind."""
    for _ in range(PORTS_PER_WORKER):
        port = _FIRST_PORT + next(_turns) % PORTS_PER_WORKER
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {_FIRST_PORT}-{_FIRST_PORT + PORTS_PER_WORKER - 1}")


#: This process's own database and Redis: the given ones outside xdist, empty for the embedded defaults.
WORKER_DATABASE_URL = worker_database_url(GIVEN_DATABASE_URL)
WORKER_REDIS_URL = worker_redis_url(GIVEN_REDIS_URL)
if WORKER_DATABASE_URL:
    os.environ["DATABASE_URL"] = WORKER_DATABASE_URL
if WORKER_REDIS_URL:
    os.environ["REDIS_URL"] = WORKER_REDIS_URL
