"""Found by the fault drills (issue 10): on SQLite (the embedded default), a web process under gevent
locked up for 30 s and failed with "database is locked" when one greenlet waited on Redis or HTTP
inside its transaction while another began writing. Units of work on SQLite now take turns."""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.integration

TWO_GREENLETS = textwrap.dedent(
    """
    from gevent import monkey

    monkey.patch_all()

    import sys, time

    import gevent
    import sqlalchemy as sa

    from dialer.adapters.db import SqlUnitOfWork, make_engine

    engine = make_engine(f"sqlite:///{sys.argv[1]}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE note (text TEXT)"))

    def write(text, wait_s):
        with SqlUnitOfWork(engine) as uow:
            uow.session.execute(sa.text("INSERT INTO note VALUES (:t)"), {"t": text})
            gevent.sleep(wait_s)  # a Redis or HTTP round trip inside the transaction
            uow.commit()

    started = time.monotonic()
    gevent.joinall([gevent.spawn(write, "a", 0.5), gevent.spawn(write, "b", 0)], raise_error=True)
    with engine.connect() as connection:
        notes = sorted(connection.execute(sa.text("SELECT text FROM note")).scalars())
    print(notes, round(time.monotonic() - started, 1))
    """
)


def test_two_greenlets_writing_to_sqlite_take_turns_instead_of_locking_up(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", TWO_GREENLETS, str(tmp_path / "notes.db")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    notes, seconds = done.stdout.rsplit(" ", 1)
    assert notes == "['a', 'b']"
    assert float(seconds) < 10, "no wait for the 30 s busy timeout"
