"""Twilio resource identifiers: a two-letter prefix and 32 hex digits, reproducible from a seed."""

from __future__ import annotations

import random
import threading

CALL = "CA"
CONFERENCE = "CF"
PHONE_NUMBER = "PN"
APPLICATION = "AP"


class SidMaker:
    """Makes sids like `CA` + 32 hex digits; the same seed gives the same sequence (golden traces)."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}{self._random.getrandbits(128):032x}"
