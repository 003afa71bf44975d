"""What a long-running process (a web process, a worker, the simulator) does with the objects it made
while starting: it freezes them out of the garbage collector once it is ready to serve.

Modules, the app, its routes and templates (about 186,000 objects in a web process) live as long as
the process, yet each full collection walked them all: about 100 ms, a stall of every request in
flight that came every few thousand requests and set the tail of link opens under load. Frozen, the
same collection walks only what serving made since (`scripts/bench_heap.py`, docs/BENCHMARKS.md).
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect what starting left behind, then keep everything still alive out of later collections."""
    gc.collect()
    gc.freeze()
