"""Found by the fault drills (issue 10): an RQ worker quit when Redis went away during its periodic
maintenance (which now runs every few seconds to notice a Redis that lost the dialer's state), and
then nothing was left to rebuild it. The worker now waits for Redis, as it does between jobs."""

import socket

import pytest
import redis as redis_lib

from workers.runner import SimpleDialerWorker

pytestmark = pytest.mark.integration


def test_a_worker_carries_on_when_redis_goes_away_during_maintenance(redis):
    worker = SimpleDialerWorker(["calls"], connection=redis, name="outlives-redis")
    with socket.socket() as probe:  # a port nobody listens on: Redis has gone away
        probe.bind(("127.0.0.1", 0))
        gone = redis_lib.Redis(port=probe.getsockname()[1])
    worker.connection = gone
    for queue in worker.queues:
        queue.connection = gone

    worker.run_maintenance_tasks()  # RQ's own would raise ConnectionError and the worker quit

    assert worker.should_run_maintenance_tasks, "and it tries again at its next turn"
