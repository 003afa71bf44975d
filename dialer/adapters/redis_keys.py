"""Names of the dialer's Redis keys, in one place so rebuilds and scripts agree.

Scripts build some keys from these prefixes themselves, so the dialer needs a single Redis (or a
Sentinel-managed primary), not Redis Cluster.
"""

from __future__ import annotations

PREFIX = "marginal:dialer:"

SUPPRESSED = PREFIX + "suppressed"
IN_CALL = PREFIX + "in-call"
QUEUED_CAMPAIGNS = PREFIX + "queued-campaigns"
SEATS = PREFIX + "seats"
SEAT_CAMPAIGNS = PREFIX + "seat-campaigns"
SEAT_PREFIX = PREFIX + "seat:"
IDLE_PREFIX = PREFIX + "idle:"
CALL_RATE = PREFIX + "call-rate"
BUILT = PREFIX + "built"  # set by a rebuild; gone means Redis lost its data


def queue(campaign_id: int) -> str:
    return f"{PREFIX}queue:{campaign_id}"


def call_backs(campaign_id: int) -> str:
    return f"{PREFIX}call-backs:{campaign_id}"


def phones(campaign_id: int) -> str:
    return f"{PREFIX}phones:{campaign_id}"


def dialled(day: str) -> str:
    return f"{PREFIX}dialled:{day}"


def seat(session_id: int | str) -> str:
    return f"{SEAT_PREFIX}{session_id}"


def idle(campaign_id: int | str) -> str:
    return f"{IDLE_PREFIX}{campaign_id}"
