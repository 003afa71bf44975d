"""The embedded Redis: started on demand for an instance folder, shared, and stopped by its owner."""

import pytest
import redis

from dialer.adapters import redis_server

pytestmark = pytest.mark.integration


def test_the_embedded_server_is_shared_and_stopped_by_the_process_that_started_it(tmp_path):
    url = redis_server.embedded_server(tmp_path)
    assert redis_server.embedded_server(tmp_path) == url
    client = redis_server.connect(url)
    client.set("seat", "ready")
    other = redis.Redis.from_url(url)  # a second client (like a worker) keeps the server busy
    assert other.get("seat") == b"ready"

    redis_server.stop_embedded_server(tmp_path)

    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
