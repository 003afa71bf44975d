"""Writes two requests may make at the same moment, settled by the database's unique keys.

Where "is it there? then add it" must not add a row twice (one person's pledge pressed from two tabs,
their arrival through a link bound by two requests), a unique key refuses the second insert. The
request that loses rolls back and tries again, and its next try reads the row the winner committed
(READ COMMITTED on PostgreSQL; SQLite's single writer). A try can lose only to a row someone else has
now written, and a use case writes few such rows, so a few tries always settle it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from dialer.ports import UnitOfWork

T = TypeVar("T")

#: A pledge through a link can lose three races (its signup, the arrival, the conversion); one more try.
TRIES = 4


def first_one_wins(uow: UnitOfWork, attempt: Callable[[], T]) -> T:
    """Run `attempt` (which commits inside `uow`'s transaction), rolled back and run again each time it
    loses a race on a unique key; the last loss is raised."""
    for _ in range(TRIES - 1):
        try:
            return attempt()
        except IntegrityError:
            uow.rollback()
    try:
        return attempt()
    except IntegrityError:
        uow.rollback()
        raise
