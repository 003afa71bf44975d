"""The product and the Twilio simulator in this process, on one simulated clock.

The simulator's REST API is the product's Twilio, its webhooks go straight into the product's WSGI
app, and the product's jobs run when the clock reaches them: a shift of hours runs in seconds, with
every request and callback taking the product's real path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask

from dialer.adapters.clock_jobs import ClockJobQueue
from dialer.bootstrap import Services, build
from dialer.clock import SimClock
from dialer.config import Settings
from dialer.ports import LiveUpdates
from dialer.simulator import Simulator, WsgiTransport
from tests.people import FAST_PASSWORDS


@dataclass(frozen=True)
class OnOneClock:
    sim: Simulator
    services: Services
    app: Flask


def product_and_simulator(
    settings: Settings,
    engine: Any,
    redis: Any,
    redis_url: str,
    *,
    clock: SimClock,
    live: LiveUpdates,
    cps: float = 1.0,
    seed: int = 0,
) -> OnOneClock:
    """Wire them together; the RQ jobs' context is these services until `context.use(None)`."""
    from web import create_app
    from workers import context

    sim = Simulator(
        account_sid=settings.account_sid,
        auth_token=settings.auth_token,
        api_keys={settings.api_key_sid: settings.api_key_secret},
        clock=clock,
        cps=cps,
        seed=seed,
    )
    services = build(
        settings,
        engine=engine,
        redis=redis,
        redis_url=redis_url,
        clock=clock,
        live=live,
        telephony_client=sim.rest_client(),
        jobs=ClockJobQueue(clock),
        passwords=FAST_PASSWORDS,
    )
    app = create_app(services=services)
    sim.transport = WsgiTransport(app)
    context.use(services)
    return OnOneClock(sim, services, app)


@contextmanager
def running_on_one_clock(settings: Settings, engine: Any, redis: Any, redis_url: str) -> Iterator[OnOneClock]:
    """The product and the simulator (5 calls a second) on a fresh simulated clock, with live updates
    recorded; the jobs' context and the simulator are closed afterwards."""
    from dialer.adapters.live import RecordingLiveUpdates
    from workers import context

    wired = product_and_simulator(
        settings, engine, redis, redis_url, clock=SimClock(), live=RecordingLiveUpdates(), cps=5
    )
    try:
        yield wired
    finally:
        context.use(None)
        wired.sim.close()
