"""Writing who looked at or took personal data into the audit log (exports, voter records).

A single function so that the account service's audit log can take its place without touching
its callers. The entry is added to the caller's transaction: no export without its record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from dialer.models import AuditEntry


def record(
    session: Session,
    at: datetime,
    *,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: object,
    detail: dict[str, Any] | None = None,
    ip: str = "",
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            detail=detail or {},
            ip=ip[:45],
        )
    )
