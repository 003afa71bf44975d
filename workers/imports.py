"""RQ job: import an uploaded voter CSV (queued by the organiser's import page)."""

from __future__ import annotations

from dialer.services.campaigns.voter_import import run_import
from workers.context import services


def import_voters(import_id: int) -> dict[str, object]:
    """Run the import; its progress is in SQL and pushed live to the organiser's page."""
    wired = services()
    return run_import(wired.uow, wired.clock, wired.live, import_id, number_key=wired.number_key).as_dict()
