"""A production-shaped deployment of Marginal on loopback, for load runs and fault drills.

`Deployment` (deployment.py) starts the real processes: a Redis server (or uses REDIS_URL), the
Twilio simulator on its sped-up real-time clock, several gunicorn/gevent web processes sharing
Socket.IO through the Redis message queue, several RQ workers, and a small TCP balancer in front of
the web processes (balancer.py). `staging.py` fills a fresh database with a phone bank, its
volunteers and voters; `crowd.py` runs simulated volunteers and organiser dashboards as real
Socket.IO and HTTP clients in their own processes; `checks.py` says whether anything was lost;
`drills.py` injects the faults. `scripts/loadtest.py` and `tests/integration/test_fault_drills.py`
drive it.

The clients need the development extras (python-socketio's client, aiohttp, psutil): nothing in the
product imports this package.
"""
