"""The worker process's services, built on first use (never at import time).

`use(services)` makes jobs run on given services instead (an in-process shift on a SimClock,
where the web app, the jobs and the simulator share one set of fakes and one clock).
"""

from __future__ import annotations

from functools import cache

from dialer.bootstrap import Services, build
from dialer.config import Settings
from dialer.services.phone_bank import PhoneBank

_override: list[Services] = []


@cache
def _built() -> Services:
    return build(Settings.from_env())


def services() -> Services:
    return _override[-1] if _override else _built()


def phone_bank() -> PhoneBank:
    return services().phone_bank


def reset() -> None:
    """Close and forget the environment's services: the next job builds them from the environment again."""
    if _built.cache_info().currsize:
        _built().close()
    _built.cache_clear()


def use(services: Services | None) -> None:
    """Run jobs in this process on `services` (None goes back to the environment's)."""
    _override.clear()
    if services is not None:
        _override.append(services)
