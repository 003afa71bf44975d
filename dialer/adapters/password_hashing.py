"""Password hashing that does not stall a gevent web process.

An argon2id hash or verification is about 50 ms of CPU in C, with the GIL released. Under gevent
that call would otherwise stop every greenlet of the process for its duration: a burst of sign-ins
at the start of an evening held up the answer webhooks of everyone already calling. In a
monkey-patched process the work runs on gevent's native thread pool, so the hub keeps serving
while it hashes (and two hashes can use two cores); elsewhere it runs in the caller's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from argon2 import PasswordHasher

T = TypeVar("T")


class OffLoopPasswordHasher(PasswordHasher):
    """argon2-cffi's hasher, its hashing and verifying done off the gevent hub when there is one."""

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        return _off_loop(super().hash, password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # raises if not
        return _off_loop(super().verify, hash, password)


def _off_loop(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    if not _under_gevent():
        return work(*args, **kwargs)
    import gevent

    # The outcome comes back as a value: an exception raised in the pool would also be printed as
    # a hub error (every wrong password would log a traceback).
    ok, value = gevent.get_hub().threadpool.apply(_outcome, (work, args, kwargs))
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _outcome(work: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, Any]:
    try:
        return True, work(*args, **kwargs)
    except Exception as error:  # re-raised in the caller's greenlet
        return False, error


def _under_gevent() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover (gevent is a dependency; kept optional here)
        return False
    return bool(monkey.is_module_patched("threading"))
