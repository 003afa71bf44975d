"""Requests or calls made at the same instant, as a crowd would: threads released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def all_at_once(count: int, action: Callable[[int], Any]) -> list[Any]:
    """Run action(i) for i in range(count) in threads released together; returns results or errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = action(index)
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
