"""Free loopback ports for servers a test starts (the simulator, the web app, `dialer demo`).

A port the kernel hands out for a probe comes from its ephemeral range, the same range every outgoing
connection takes its local port from: between the probe and the server's bind, one of the suite's own
clients could take it (seen: a demo refusing to start, its PORT already in use). So the port is drawn
at random from below that range and checked free by binding it.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 20_000


def free_port() -> int:
    first_ephemeral = int(_EPHEMERAL.read_text().split()[0]) if _EPHEMERAL.exists() else 32_768
    for _ in range(200):
        port = random.randrange(_LOWEST, max(first_ephemeral, _LOWEST + 1000))
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:  # a crowded machine: let the kernel choose
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
