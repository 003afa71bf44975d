"""`dialer seed` loads the shipped data idempotently; `--demo-content` adds clearly fictional events."""

import re

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from dialer.adapters import db
from dialer.cli import main
from dialer.domain.marginality import MarginalityRule
from dialer.models import Carpool, ElectionResult, Event, User
from dialer.services.demo.demo_content import seed_demo_content

pytestmark = pytest.mark.integration


@pytest.fixture
def dialer(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'seed.db'}")
    monkeypatch.delenv("REDIS_URL", raising=False)

    def run(*args):
        return CliRunner().invoke(main, list(args))

    return run


def test_seeding_twice_loads_everything_once_and_then_changes_nothing(dialer):
    assert dialer("db", "upgrade").exit_code == 0
    first = dialer("seed")
    assert first.exit_code == 0, first.output
    assert "1,950 results (1,950 new, 0 updated)" in first.output
    assert "4,236 postcodes (4,236 new, 0 updated)" in first.output
    second = dialer("seed")
    assert second.exit_code == 0, second.output
    counts = re.findall(r"\((\d[\d,]*) new, (\d[\d,]*) updated\)", second.output)
    assert len(counts) == 5 and set(counts) == {("0", "0")}


def test_seeding_a_database_without_tables_says_to_migrate_first(dialer):
    result = dialer("seed")
    assert result.exit_code == 2
    assert "run `dialer db upgrade` first" in result.output
    assert "Traceback" not in result.output


def test_demo_content_is_added_once_while_it_is_still_upcoming(dialer):
    dialer("db", "upgrade")
    first = dialer("seed", "--demo-content")
    assert first.exit_code == 0, first.output
    assert re.search(r"demo content: \d+ fictional events, \d+ carpools", first.output)
    second = dialer("seed", "--demo-content")
    assert "the earlier fictional events are still upcoming; nothing added" in second.output


def test_demo_events_are_fictional_upcoming_and_in_marginal_seats(seeded_services, clock):
    made = seed_demo_content(seeded_services.uow, clock, unusable_password_hash="$argon2id$not-a-real-hash")
    assert made.events >= 20 and made.carpools == made.events // 2
    rule = MarginalityRule()
    with Session(seeded_services.engine) as session:
        events = session.exec(select(Event)).all()
        results = {
            r.ons_code: r
            for r in session.exec(select(ElectionResult).where(ElectionResult.election == "GE2024"))
        }
        users = session.exec(select(User)).all()
        carpools = session.exec(select(Carpool)).all()
    assert len(events) == made.events
    for event in events:
        result = results[event.ons_code]
        assert rule.is_marginal(result.winner_party, result.runner_up_party, result.majority_pct)
        assert event.title.endswith("(demo)") and "Fictional" in event.notes
        assert event.starts_at and event.starts_at > clock.now()
    assert all(user.email.endswith("@demo.invalid") for user in users)
    by_id = {event.id: event for event in events}
    assert all(
        c.departs_at and c.departs_at < (by_id[c.event_id].starts_at or c.departs_at) for c in carpools
    )
    again = seed_demo_content(seeded_services.uow, clock, unusable_password_hash="x")
    assert again.events == 0
    clock.advance(14 * 24 * 3600)  # a fortnight later the batch is over, and a new one is made
    assert seed_demo_content(seeded_services.uow, clock, unusable_password_hash="x").events == made.events
    with db.SqlUnitOfWork(seeded_services.engine) as uow:
        assert len(uow.session.exec(select(User)).all()) == len(users)  # the same fictional people
