"""Passwords are hashed with recommended argon2id parameters, off a gevent process's event loop."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from dialer.adapters.password_hashing import OffLoopPasswordHasher
from dialer.bootstrap import Services


def test_the_production_hasher_uses_recommended_argon2id_parameters():
    hasher = OffLoopPasswordHasher()
    assert hasher.type.name == "ID"
    # OWASP's floor is 19 MiB with t=2; argon2-cffi's default profile (RFC 9106) is above it.
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2


def test_the_services_hash_passwords_off_the_event_loop_by_default():
    passwords = next(f for f in Services.__dataclass_fields__.values() if f.name == "passwords")
    assert passwords.default_factory is OffLoopPasswordHasher


def test_outside_gevent_a_hash_verifies_in_the_callers_thread():
    hasher = OffLoopPasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
    assert hasher.verify(hasher.hash("correct horse"), "correct horse")


#: Under gevent, a greenlet ticking every millisecond keeps ticking while passwords are verified.
GEVENT_PROCESS = textwrap.dedent(
    """
    from gevent import monkey; monkey.patch_all()
    import gevent
    from argon2.exceptions import VerifyMismatchError
    from dialer.adapters.password_hashing import OffLoopPasswordHasher

    hasher = OffLoopPasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)
    stored = hasher.hash("correct horse")
    ticks = []
    def tick():
        while True:
            ticks.append(1)
            gevent.sleep(0.001)
    ticker = gevent.spawn(tick)
    gevent.sleep(0.01)
    before = len(ticks)
    assert hasher.verify(stored, "correct horse")
    try:
        hasher.verify(stored, "wrong")
    except VerifyMismatchError:
        pass
    else:
        raise SystemExit("a wrong password verified")
    print(len(ticks) - before)
    """
)


def test_under_gevent_other_greenlets_run_while_a_password_is_verified():
    run = subprocess.run(
        [sys.executable, "-c", GEVENT_PROCESS], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.strip()) > 0, "the event loop stood still while argon2 ran"
