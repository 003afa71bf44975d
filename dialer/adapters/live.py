"""Live updates over Socket.IO rooms, relayed through Redis so every web process's clients get them."""

from __future__ import annotations

from typing import Any

import socketio
from redis import ConnectionPool

#: The Socket.IO namespace every live view (calling page, dashboards) listens on.
NAMESPACE = "/live"


def message_queue(redis_url: str, *, write_only: bool = False) -> socketio.RedisManager:
    """The Redis pub/sub channel Socket.IO servers and emitters share (unix:// sockets included)."""
    return socketio.RedisManager(redis_url, channel=channel(redis_url), write_only=write_only)


def channel(redis_url: str) -> str:
    """The relay's channel, named after the Redis database: pub/sub ignores the database number, so
    instances sharing a server on different databases would otherwise hear each other's events."""
    return f"marginal-live-db{ConnectionPool.from_url(redis_url).connection_kwargs.get('db', 0)}"


class RedisLiveUpdates:
    """Publishes from any process (workers, scripts) to clients of every web process."""

    def __init__(self, redis_url: str, namespace: str = NAMESPACE) -> None:
        self._queue = message_queue(redis_url, write_only=True)
        self._namespace = namespace

    def publish(self, room: str, event: str, payload: dict[str, Any]) -> None:
        self._queue.emit(event, payload, namespace=self._namespace, room=room)


class RecordingLiveUpdates:
    """Keeps what was published, for tests and for processes with nobody listening."""

    def __init__(self) -> None:
        self.published: list[tuple[str, str, dict[str, Any]]] = []

    def publish(self, room: str, event: str, payload: dict[str, Any]) -> None:
        self.published.append((room, event, payload))
