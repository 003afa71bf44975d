"""Issue 5's dress rehearsal: 20 volunteers and 500 voters, product and simulator on one clock, from
Friday 20:00 to Sunday's close; a referee judges the run from the simulator's log and SQL, and a
scanner reads everything the volunteers' browsers received for a voter's phone number."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from dialer.adapters import redis_server
from dialer.models import CallAttempt, Voter
from dialer.services.geography.seat_finder import SeatReference
from tests.rehearsal.referee import Verdict, judge
from tests.rehearsal.world import Rehearsal
from tests.suite_state import empty_tables, suite_settings

# The run is the first test's set-up: about two minutes on a quiet 2-core machine, more when it is busy.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def rehearsal(
    session_dir: Path, engine: Engine, redis_url: str, seat_reference: SeatReference
) -> Iterator[tuple[Rehearsal, Verdict]]:
    """One run for the whole module (it takes a while): an emptied database and Redis of the session's."""
    empty_tables(engine)
    redis = redis_server.connect(redis_url)
    redis.flushdb()
    settings = suite_settings(session_dir, redis_url, engine, lookup_rate_limit="100000/minute")
    run = Rehearsal(settings, engine, redis, redis_url, seat_reference)
    started = time.monotonic()
    try:
        run.run()
        run.wall_seconds = time.monotonic() - started
        yield run, judge(run)
    finally:
        run.close()
        redis.close()


def test_the_rehearsal_keeps_every_rule_of_the_phone_bank(rehearsal):
    run, verdict = rehearsal
    print(dict(verdict.figures), dict(verdict.final_states), f"{run.wall_seconds:.1f}s", run.dropped)
    for rule, broken in verdict.violations.items():
        print(rule, len(broken), broken[:8])
    for rule in ("hours", "overlap", "suppressed", "blocked", "seat", "sql", "retries", "final"):
        assert verdict.broken(rule) == [], f"{rule}: {len(verdict.violations[rule])} broken"
    figures = verdict.figures
    assert figures["voter_calls"] > 600 and figures["answered"] > 150
    assert figures["calls_before_first_close"] > 300 and figures["calls_after_first_close"] > 100
    assert figures["volunteer_minutes_outside_hours"] > 100, "volunteers sat ready while calling was closed"
    assert figures["abandoned"] >= 1 and figures["calls_after_a_seeded_block"] >= 1
    for disposition in ("talked", "busy", "no_answer", "machine", "wrong_number", "call_back", "do_not_call"):
        assert figures[f"disposition_{disposition}"] > 0, disposition
    assert figures["numbers_suppressed_during_run"] == 10
    assert set(verdict.final_states) >= {
        "finished",
        "exhausted",
        "suppressed",
        "tps",
        "waiting beyond the run",
    }
    assert sum(verdict.final_states.values()) == 500


def test_no_voter_phone_number_reaches_a_volunteer(rehearsal):
    run, _ = rehearsal
    scanner, seeded = run.scanner, run.seeded
    print(scanner.scanned, scanner.characters, run.crew.socket_events)
    assert scanner.leaks == [], scanner.leaks[:5]
    assert run.crew.foreign_events == 0, "a volunteer's socket carried another seat's events"
    # What was scanned is the real thing: every kind in bulk, and the names of the voters talked to.
    assert (
        scanner.scanned["html"] > 200 and scanner.scanned["json"] > 1000 and scanner.scanned["socket"] > 2000
    )
    with run.services.uow() as uow:
        reached = set(
            uow.session.exec(
                select(Voter.first_name)
                .join(CallAttempt, col(CallAttempt.voter_id) == Voter.id)
                .where(col(CallAttempt.connected_at).is_not(None))
            ).all()
        )
    assert len(reached) > 200 and reached <= set(scanner.seen), (
        "every voter a volunteer talked to was on screen"
    )
    assert not set(seeded.surnames.values()) & set(scanner.seen), (
        "surnames stay hidden (the campaign says so)"
    )
