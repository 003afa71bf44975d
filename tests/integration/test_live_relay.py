"""Live updates relayed through Redis reach the web processes on the same Redis database, and only them."""

from __future__ import annotations

import pytest
import redis as redis_lib
from redis.connection import parse_url

from dialer.adapters.live import RedisLiveUpdates, message_queue
from tests.parallel_workers import on_redis_database

pytestmark = pytest.mark.integration

#: A room and an event no page joins or listens for, so the event sent to another database disturbs nobody.
ROOM, EVENT = "relay-probe", "relay_probe"


def test_an_event_published_on_another_redis_database_never_reaches_this_databases_web_processes(redis_url):
    other = on_redis_database(redis_url, (int(parse_url(redis_url).get("db", 0)) + 1) % 16)
    web_process = redis_lib.Redis.from_url(redis_url).pubsub()
    web_process.subscribe(message_queue(redis_url).channel)  # what a web process's relay listens on
    try:
        subscribed = web_process.get_message(timeout=5)
        assert subscribed is not None and subscribed["type"] == "subscribe"
        RedisLiveUpdates(other).publish(ROOM, EVENT, {"sent_to": "the other database"})
        RedisLiveUpdates(redis_url).publish(ROOM, EVENT, {"sent_to": "this database"})

        first = web_process.get_message(timeout=5)
        assert first is not None, "the event published on this database never arrived"
        assert b"this database" in first["data"], "an event from the other database arrived first"
        assert web_process.get_message(timeout=0.5) is None
    finally:
        web_process.close()
