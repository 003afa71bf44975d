"""Two deployments sharing one Redis server (in different databases) do not hear each other's live
events: pub/sub ignores database numbers, and both have a campaign:1 room."""

import json

import pytest
import redis as redis_lib

from dialer.adapters.live import RedisLiveUpdates, channel

pytestmark = pytest.mark.integration


def another_database(url: str) -> str:
    """The same server, the next database (nothing is written there: pub/sub only)."""
    number = redis_lib.connection.parse_url(url).get("db", 0) + 1
    if url.startswith("unix://"):
        return url.split("?")[0] + f"?db={number}"
    return url.rsplit("/", 1)[0] + f"/{number}" if url.count("/") > 2 else f"{url}/{number}"


def test_a_deployment_hears_only_its_own_database_s_events(redis_url):
    ours, theirs = redis_url, another_database(redis_url)
    listener = redis_lib.Redis.from_url(ours).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel(ours))
    listener.get_message(timeout=1)

    RedisLiveUpdates(theirs).publish("campaign:1", "tally", {"version": 1})
    RedisLiveUpdates(ours).publish("campaign:1", "tally", {"version": 2})

    heard = [listener.get_message(timeout=2) for _ in range(2)]
    payloads = [json.loads(message["data"]) for message in heard if message]
    assert [(p["event"], p["room"], p["data"]) for p in payloads] == [
        ("tally", "campaign:1", [{"version": 2}])
    ]
    listener.close()
