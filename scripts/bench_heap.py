"""A full garbage collection in a web process, before and after freezing what starting made.

Each mode runs in a fresh process: the app is built from the environment (embedded defaults when
nothing is set), serves a few hundred requests as a process does before load arrives, then (mode
"frozen") calls `dialer.heap.freeze_startup_objects`, as `dialer serve`, the workers and the
simulator do once they are ready. Then 15 full collections are timed, each after 20 more requests. Printed: objects alive, the
median full collection in each mode and their ratio. Exits non-zero unless the frozen collection is
at least 10 times quicker (a full collection stalls every request in flight in that process).

    .venv/bin/python scripts/bench_heap.py [--no-report]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark_report import write_section

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench_heap:begin -->", "<!-- bench_heap:end -->"
TARGET_RATIO = 10.0

_PROCESS = """
    import gc, json, statistics, sys, time
    from dialer import heap
    from web import create_app
    app = create_app()
    client = app.test_client()
    for _ in range(200):
        client.get("/privacy")
        client.get("/static/css/site.css")
    if sys.argv[1] == "frozen":
        heap.freeze_startup_objects()
    took = []
    for _ in range(15):
        for _ in range(20):  # what serving makes between two collections is walked in both modes
            client.get("/privacy")
        started = time.perf_counter()
        gc.collect()
        took.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"objects": len(gc.get_objects()) + gc.get_freeze_count(),
                      "frozen": gc.get_freeze_count(), "median_ms": statistics.median(took)}))
"""


def _measure(mode: str, folder: Path) -> dict[str, float]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{folder / 'heap.db'}")
    env.setdefault("INSTANCE_PATH", str(folder))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_PROCESS), mode],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    if done.returncode != 0:
        sys.exit(f"the {mode} process failed:\n{done.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="marginal-heap-") as tmp:
        before = _measure("as-before", Path(tmp))
        frozen = _measure("frozen", Path(tmp))
    ratio = before["median_ms"] / max(frozen["median_ms"], 1e-6)
    print(
        f"objects alive {before['objects']:,.0f}; full collection median {before['median_ms']:.1f} ms, "
        f"frozen ({frozen['frozen']:,.0f} frozen) {frozen['median_ms']:.2f} ms: {ratio:.0f} times quicker "
        f"(target at least {TARGET_RATIO:g})"
    )
    met = ratio >= TARGET_RATIO
    if not args.no_report:
        write_section(
            BEGIN,
            END,
            f"""## A full garbage collection in a web process (`scripts/bench_heap.py`)

{date.today().isoformat()}, {platform.node() or "this machine"} ({os.cpu_count()} cores). A web process built
from the embedded defaults, after serving 400 requests: {before["objects"]:,.0f} objects alive. A full
collection (Python's generation 2) walks every one of them and stalls every request in flight in that
process; under load one came every few thousand requests and set the tail of link opens.
`dialer.heap.freeze_startup_objects` (called by `dialer serve`, the workers and the simulator once they
are ready) moves what starting made out of the collector's reach.

| | median full collection |
|---|---|
| as before | {before["median_ms"]:.1f} ms |
| frozen ({frozen["frozen"]:,.0f} objects) | {frozen["median_ms"]:.2f} ms |

{ratio:.0f} times quicker (target: at least {TARGET_RATIO:g}). Re-run: `.venv/bin/python scripts/bench_heap.py`.
""",
        )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
