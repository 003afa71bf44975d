"""Serialising sign-ups for one event or one carpool, the same way on PostgreSQL and SQLite.

Capacity is a check-then-insert ("is there a place left? then take it"), which is only safe when
everyone taking a place for the same event waits in line. The line is the event's (or carpool's)
own row: the first statement of the transaction is an UPDATE of that row that changes nothing.

- PostgreSQL: the UPDATE takes the row lock, held until commit or rollback; a second transaction's
  UPDATE waits for it and, under READ COMMITTED, its later SELECTs see what the first committed.
- SQLite: any UPDATE takes the database's single write lock (WAL mode; writers queue on the busy
  timeout). Because it is the first statement, the transaction has read nothing stale before it.

A SELECT ... FOR UPDATE would do on PostgreSQL but is silently ignored by SQLite; this does both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session


def hold(session: Session, model: Any, row_id: int, column: str) -> bool:
    """Lock row `row_id` of `model` until the transaction ends; False when there is no such row.

    Must be the transaction's first statement. `column` is any non-key column; it is set to itself.
    """
    table = model.__table__
    statement = update(table).where(table.c.id == row_id).values({column: table.c[column]})
    return session.exec(statement).rowcount == 1
