"""When a volunteer with a place at an event is reminded of it: once, the day before.

The reminder is due from REMIND_BEFORE before the event starts until it starts. A place taken
within that day gets none: its confirmation came the same day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

REMIND_BEFORE = timedelta(hours=24)


def reminder_due(*, starts_at: datetime, signed_up_at: datetime, now: datetime) -> bool:
    opens = starts_at - REMIND_BEFORE
    return opens <= now < starts_at and signed_up_at < opens
