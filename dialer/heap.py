"""What a long-running process (a web process, a worker, the simulator) does with the objects it made
while starting: it freezes them out of the garbage collector once it is ready to serve.

Modules, the app, its routes and templates (about 200,000 objects in a web process) live as long as
the process, yet each full collection walked them all: 129 ms measured in a web process, a stall of
every request in flight that came every few thousand requests and set the p99 of link opens and
answer webhooks under load. Frozen, the same collection took 2 ms (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect what starting left behind, then keep everything still alive out of later collections."""
    gc.collect()
    gc.freeze()
