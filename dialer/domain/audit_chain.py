"""The audit log's hash chain: each entry's link is a SHA-256 over the link before it and the entry's
id, time, actor id, action and subject, so changing, removing or inserting an entry breaks every
link after it.

Only ids, actions and times are chained. Details and the client address (which may be personal
data) are not, so an erasure can remove them without breaking the chain.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

#: The link before the first chained entry.
GENESIS = "0" * 64
_SEPARATOR = "\x1f"  # the ASCII unit separator: no chained field contains it


@dataclass(frozen=True)
class Chained:
    """The fields of an entry that its link covers."""

    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: str


def link(previous: str, entry: Chained) -> str:
    fields = (
        previous,
        str(entry.id),
        entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "" if entry.actor_id is None else str(entry.actor_id),
        entry.action,
        entry.subject_type,
        entry.subject_id,
    )
    return hashlib.sha256(_SEPARATOR.join(fields).encode()).hexdigest()
