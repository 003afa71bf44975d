"""The audit log is tamper-evident: `dialer audit verify` names the first entry changed, removed or
slipped in, and personal details outside the chain (an erasure's business) can change freely."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlmodel import select

from dialer.cli import main
from dialer.models import AuditEntry
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor


def write_entries(services, count=6):
    ids = []
    for index in range(count):
        services.clock.advance(1.5)
        with services.uow() as uow:
            entry = audit.record(
                uow.session,
                services.clock,
                Actor(None, f"198.51.100.{index}"),
                Action.SIGN_IN_FAILED,
                subject_type="user",
                subject_id=index,
                detail={"attempt": index},
            )
            uow.commit()
            ids.append(entry.id)
    return ids


def dialer_audit_verify(settings):
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "INSTANCE_PATH": str(settings.instance_path),
    }
    return CliRunner().invoke(main, ["audit", "verify"], env=env)


def tamper(services, sql, **values):
    with services.engine.begin() as connection:
        connection.execute(sa.text(sql), values)


def test_an_untouched_log_verifies_and_prints_its_newest_link(services, settings):
    ids = write_entries(services)
    result = dialer_audit_verify(settings)
    assert result.exit_code == 0, result.output
    assert "audit log intact: 6 entries chained" in result.output
    assert f"newest link: entry #{ids[-1]} " in result.output


@pytest.mark.parametrize(
    ("what", "sql"),
    [
        ("its action", "UPDATE auditentry SET action = 'sign_in' WHERE id = :id"),
        ("its actor", "UPDATE auditentry SET actor_id = NULL, subject_id = '99' WHERE id = :id"),
        (
            "its time",
            "UPDATE auditentry SET at = (SELECT at FROM auditentry WHERE id = :id - 1) WHERE id = :id",
        ),
    ],
)
def test_a_changed_entry_is_found_by_dialer_audit_verify(services, settings, what, sql):
    ids = write_entries(services)
    tampered = ids[3]
    tamper(services, sql, id=tampered)

    result = dialer_audit_verify(settings)

    assert result.exit_code == 1, f"changing {what} went unnoticed: {result.output}"
    assert f"audit log broken at entry #{tampered}:" in result.output
    assert f"the 3 entries before it are intact (up to #{ids[2]})" in result.output


def test_a_removed_entry_is_found_at_the_entry_after_it(services, settings):
    ids = write_entries(services)
    tamper(services, "DELETE FROM auditentry WHERE id = :id", id=ids[2])
    result = dialer_audit_verify(settings)
    assert result.exit_code == 1
    assert f"audit log broken at entry #{ids[3]}:" in result.output


def test_removing_the_newest_entries_is_found_from_the_chains_head(services, settings):
    ids = write_entries(services)
    tamper(services, "DELETE FROM auditentry WHERE id >= :id", id=ids[4])
    result = dialer_audit_verify(settings)
    assert result.exit_code == 1
    assert "the newest entries were removed" in result.output


def test_an_entry_slipped_in_with_a_made_up_link_is_found(services, settings):
    ids = write_entries(services)
    tamper(services, "DELETE FROM auditentry WHERE id = :id", id=ids[3])
    tamper(
        services,
        "INSERT INTO auditentry (id, at, actor_id, action, subject_type, subject_id, detail, ip, chain_hash) "
        "SELECT :id, at, actor_id, 'voter_viewed', 'voter', '1', detail, ip, chain_hash FROM auditentry WHERE id = :before",
        id=ids[3],
        before=ids[2],
    )
    result = dialer_audit_verify(settings)
    assert result.exit_code == 1
    assert f"audit log broken at entry #{ids[3]}:" in result.output


def test_details_and_addresses_are_outside_the_chain_so_erasing_them_breaks_nothing(services, settings):
    write_entries(services)
    tamper(services, "UPDATE auditentry SET ip = '', detail = '{}'")
    result = dialer_audit_verify(settings)
    assert result.exit_code == 0, result.output


def test_entries_written_at_once_by_many_requests_form_one_unbroken_chain(services):
    barrier = threading.Barrier(16)
    failures: list[Exception] = []

    def write(index):
        barrier.wait()
        try:
            audit.record_now(
                services.uow(),
                services.clock,
                Actor(None, f"198.51.100.{index}"),
                Action.SIGN_IN_FAILED,
                subject_type="user",
                subject_id=index,
            )
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(index,)) for index in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    found = audit.verify(services.uow())
    assert found.intact, found.problem
    assert found.chained == 16
    with services.uow() as uow:
        links = uow.session.exec(select(AuditEntry.chain_hash)).all()
    assert len(set(links)) == 16


def test_an_entry_of_a_transaction_that_is_not_committed_is_never_written_nor_linked(services):
    write_entries(services, count=2)
    with services.uow() as uow:
        audit.record(uow.session, services.clock, Actor(None), Action.VOTER_VIEWED, subject_id=1)
        uow.rollback()
    with services.uow() as uow:
        audit.record(uow.session, services.clock, Actor(None), Action.VOTER_VIEWED, subject_id=2)
        # no commit: the unit of work ends without one
    write_entries(services, count=1)

    found = audit.verify(services.uow())
    assert found.intact, found.problem
    assert found.chained == 3
    with services.uow() as uow:
        assert uow.session.exec(select(AuditEntry).where(AuditEntry.action == "voter_viewed")).all() == []


def test_entries_from_before_the_chain_are_reported_and_a_blanked_link_later_is_not_taken_for_one(
    services, settings
):
    for index in range(2):  # written before migration 0017: no link
        tamper(
            services,
            "INSERT INTO auditentry (at, action, subject_type, subject_id, detail, ip, chain_hash) "
            "VALUES (:at, 'sign_in', 'user', :index, '{}', '', '')",
            at=services.clock.now(),
            index=str(index),
        )
    ids = write_entries(services, count=3)
    result = dialer_audit_verify(settings)
    assert result.exit_code == 0, result.output
    assert "3 entries chained (2 older entries were written before the chain began)" in result.output

    tamper(services, "UPDATE auditentry SET chain_hash = '' WHERE id = :id", id=ids[1])
    result = dialer_audit_verify(settings)
    assert result.exit_code == 1
    assert f"audit log broken at entry #{ids[1]}:" in result.output
