"""The sign-in limit holds when attempts arrive all at once, and never locks out people who sign in."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlmodel import col, func, select

from dialer.models import AuditEntry
from dialer.services.accounts import accounts
from dialer.services.compliance.audit import Action
from tests.concurrency import all_at_once
from tests.people import PASSWORD, add_account, csrf_token

LIMIT = 20


@pytest.fixture
def password_checks(monkeypatch):
    """Counts password checks, each taking as long as a real argon2 check does (which opens the race)."""
    seen = Counter[str]()
    lock = threading.Lock()
    verify = accounts._verify

    def counted(passwords, password_hash, password):
        with lock:
            seen["checks"] += 1
        time.sleep(0.05)
        return verify(passwords, password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counted)
    return seen


def _failed_sign_ins(services) -> int:
    with services.uow() as uow:
        return int(
            uow.session.exec(
                select(func.count())
                .select_from(AuditEntry)
                .where(col(AuditEntry.action) == Action.SIGN_IN_FAILED)
            ).one()
        )


@pytest.mark.parametrize(
    ("address", "email"),
    [
        (lambda i: "198.51.100.1", lambda i: "sam@example.org"),  # one client guessing one account
        (lambda i: f"198.51.100.{i}", lambda i: "sam@example.org"),  # a botnet guessing one account
        (lambda i: "198.51.100.1", lambda i: f"guess{i}@example.org"),  # one client guessing many
    ],
    ids=["one-client-one-account", "many-clients-one-account", "one-client-many-accounts"],
)
def test_sixty_four_parallel_wrong_passwords_get_no_more_than_twenty_password_checks(
    app, services, password_checks, address, email
):
    add_account(services, "sam@example.org")
    clients = [app.test_client() for _ in range(64)]
    tokens = [csrf_token(each) for each in clients]

    def guess(index):
        return (
            clients[index]
            .post(
                "/sign-in",
                data={"email": email(index), "password": "not the password", "csrf_token": tokens[index]},
                environ_base={"REMOTE_ADDR": address(index)},
            )
            .status_code
        )

    replies = all_at_once(64, guess)

    assert Counter(replies) == {401: LIMIT, 429: 64 - LIMIT}
    assert password_checks["checks"] == LIMIT
    assert _failed_sign_ins(services) == LIMIT


def test_a_busy_office_signs_in_many_times_at_once_and_keeps_its_allowance_of_mistakes(
    app, services, password_checks
):
    office = {"REMOTE_ADDR": "203.0.113.9"}
    emails = [f"volunteer{index}@example.org" for index in range(8)]
    for email in emails:
        add_account(services, email)
    clients = [app.test_client() for _ in emails]
    for _ in range(5):
        wrong = clients[0].post(
            "/sign-in",
            data={"email": emails[0], "password": "typo", "csrf_token": csrf_token(clients[0])},
            environ_base=office,
        )
        assert wrong.status_code == 401

    def sign_in_five_times(index):
        statuses = []
        for _ in range(5):
            data = {"email": emails[index], "password": PASSWORD, "csrf_token": csrf_token(clients[index])}
            statuses.append(clients[index].post("/sign-in", data=data, environ_base=office).status_code)
        return statuses

    # 40 successful sign-ins from one address, 8 at a time: each gives its slot back when it is in
    results = all_at_once(8, sign_in_five_times)
    assert [status for statuses in results for status in statuses] == [303] * 40

    # the office still has the rest of its minute's allowance of mistakes, and no more
    late = app.test_client()
    data = {"email": "someone@example.org", "password": "typo", "csrf_token": csrf_token(late)}
    replies = [
        late.post("/sign-in", data=data, environ_base=office).status_code for _ in range(LIMIT - 5 + 1)
    ]
    assert replies == [401] * (LIMIT - 5) + [429]
