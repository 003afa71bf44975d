"""Free loopback ports for servers a test starts (the simulator, the web app, `dialer demo`)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
