"""Looking a pledger up stays one index probe however many have pledged, on PostgreSQL.

psycopg prepares a statement run often on one connection, and PostgreSQL may then run it with a
generic plan, made without the parameters' values. A partial unique key (a pledge's addresses,
`WHERE email <> ''`) is usable in such a plan only if the query itself says `email <> ''`; without it,
every look-up read all of the pledge's signups once the tables had statistics.
"""

import re

import pytest
from sqlalchemy import text
from sqlmodel import select

from dialer.models import PledgeSignup
from dialer.services.signups import pledges

pytestmark = pytest.mark.integration


def generic_plan(engine, query) -> str:
    compiled = query.compile(dialect=engine.dialect)
    names: list[str] = []

    def positional(found: re.Match[str]) -> str:
        names.append(found.group(1))
        return f"${len(names)}"

    sql = re.sub(r"%\((\w+)\)s", positional, str(compiled))
    with engine.connect() as connection:
        connection.execute(text("SET plan_cache_mode = force_generic_plan"))
        connection.exec_driver_sql(f"PREPARE lookup AS {sql}")
        values = ", ".join(repr(compiled.params[name]) for name in names)
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN EXECUTE lookup({values})"))
        connection.exec_driver_sql("DEALLOCATE lookup")
    return plan


def test_a_pledgers_address_is_looked_up_through_the_pledges_unique_key_even_in_a_generic_plan(clean_db):
    if clean_db.dialect.name != "postgresql":
        pytest.skip("prepared statements' generic plans are PostgreSQL's")
    query = select(PledgeSignup.id).where(
        PledgeSignup.pledge_id == 1, pledges.made_with_email("ada@example.org")
    )

    plan = generic_plan(clean_db, query)

    assert "uq_pledgesignup_email" in plan, plan
    assert "Seq Scan" not in plan, plan
