"""The Lua scripts that make the dialer's Redis operations atomic, one file per operation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import redis
from redis.commands.core import Script

HERE = Path(__file__).resolve().parent


@cache
def source(name: str) -> str:
    return (HERE / f"{name}.lua").read_text(encoding="utf-8")


def load(connection: redis.Redis, name: str) -> Script:
    """A callable script (EVALSHA, reloaded automatically after a Redis restart)."""
    return connection.register_script(source(name))
