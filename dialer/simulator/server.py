"""`python -m dialer.simulator`: the simulator in its own process, on a real (or sped-up) clock.

The auth token and API key secret come from the environment (SIMULATOR_AUTH_TOKEN,
SIMULATOR_API_SECRET) so they never appear in a process listing; `dialer simulator` passes the
product's settings this way.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from types import FrameType

from werkzeug.serving import make_server

from dialer import heap
from dialer.clock import RealTimeScheduler, ScaledClock, SystemClock
from dialer.simulator.simulator import DEFAULT_NUMBERS, Simulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dialer.simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument(
        "--api-key", default="", help="an API key SID whose secret is in SIMULATOR_API_SECRET"
    )
    parser.add_argument("--cps", type=float, default=1.0, help="calls per second before calls queue")
    parser.add_argument("--speed", type=float, default=1.0, help="run the clock this many times faster")
    parser.add_argument("--seed", type=int, default=0, help="seed for the callee mix, sids and faults")
    parser.add_argument("--number", action="append", default=[], help="an owned caller ID (repeatable)")
    parser.add_argument(
        "--cors-origin", action="append", default=[], help="a page origin allowed to use SimPhone"
    )
    parser.add_argument("--log-level", default="warning")
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> tuple[Simulator, RealTimeScheduler]:
    token = os.environ.get("SIMULATOR_AUTH_TOKEN", "")
    if not token:
        sys.exit("python -m dialer.simulator: set SIMULATOR_AUTH_TOKEN to the account's auth token")
    api_keys = {}
    if args.api_key:
        secret = os.environ.get("SIMULATOR_API_SECRET", "")
        if not secret:
            sys.exit("python -m dialer.simulator: --api-key needs SIMULATOR_API_SECRET")
        api_keys[args.api_key] = secret
    clock = SystemClock() if args.speed == 1 else ScaledClock(args.speed)
    scheduler = RealTimeScheduler(clock, name="simulator-clock").start()
    simulator = Simulator(
        account_sid=args.account_sid,
        auth_token=token,
        api_keys=api_keys,
        clock=clock,
        scheduler=scheduler,
        cps=args.cps,
        seed=args.seed,
        numbers=tuple(dict.fromkeys([*DEFAULT_NUMBERS, *args.number])),
        cors_origins=args.cors_origin or "*",
    )
    return simulator, scheduler


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    level = args.log_level.upper()
    logging.basicConfig(level=level, format="simulator %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(level)
    simulator, _scheduler = build(args)
    # Werkzeug's threaded server: one process holds the simulated world; Socket.IO over websockets.
    server = make_server(args.host, args.port, simulator.app, threaded=True)

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    heap.freeze_startup_objects()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        simulator.close()
