"""How long a ready volunteer can expect to wait for the next voter, from the campaign's recent dials.

Each line a seat dials rings until it is answered and put through, or ends unanswered; so the
dialling time spent per conversation is the time all recent dials took, over the conversations
they gave. A predictive pacer rings several lines per seat at once, which divides that wait by
its dial level. Too few recent dials give no estimate rather than a guess.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Fewer recent dials than this, or no conversation among them, give no estimate.
MIN_DIALS = 3


def expected_wait_s(
    dial_seconds: Sequence[float], conversations: int, lines_per_seat: float = 1.0
) -> int | None:
    """Seconds a ready seat waits for a voter, rounded up to 5 s; None when the dials say too little."""
    if len(dial_seconds) < MIN_DIALS or conversations <= 0:
        return None
    per_conversation = sum(max(0.0, s) for s in dial_seconds) / conversations / max(1.0, lines_per_seat)
    return max(5, 5 * -(-int(per_conversation) // 5))
