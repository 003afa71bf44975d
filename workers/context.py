"""The worker process's services, built on first use (never at import time)."""

from __future__ import annotations

from functools import cache

from dialer.bootstrap import Services, build
from dialer.config import Settings


@cache
def services() -> Services:
    return build(Settings.from_env())
