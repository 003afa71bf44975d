"""What a volunteer has typed so far in a conversation (survey answers, notes), kept as they type.

A reloaded page gets the draft back with its seat; a volunteer who never comes back leaves it in the
"outcome missing" record. The saved outcome replaces it. Only the volunteer in the call's seat may
write it, only until the outcome is saved, and it is checked for shape, not for completeness.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import select

from dialer.errors import Conflict, InvalidInput, NotFound
from dialer.models import CallAttempt, CallingSession, Outcome
from dialer.ports import UnitOfWork
from dialer.services.calling.outcomes import MAX_NOTES
from dialer.services.campaigns.campaigns import survey_of

#: Longest draft answer kept (a free-text answer; the outcome checks the real limits).
MAX_ANSWER = 2000


def save_draft(
    uow: UnitOfWork, user_id: int, session_id: int, call_id: int, answers: Mapping[str, Any], notes: str
) -> None:
    with uow:
        session = uow.session
        seat = session.get(CallingSession, session_id)
        call = session.get(CallAttempt, call_id)
        if seat is None or seat.user_id != user_id or call is None or call.session_id != session_id:
            raise NotFound("no such call in your session")
        if call.connected_at is None:
            raise Conflict("this call never reached you")
        if session.exec(select(Outcome.id).where(Outcome.call_attempt_id == call.id)).first() is not None:
            raise Conflict("the outcome of this call has already been recorded")
        if len(notes) > MAX_NOTES:
            raise InvalidInput(f"notes may be at most {MAX_NOTES} characters")
        keys = {question.key for question in survey_of(session, call.campaign_id)}
        call.draft = {"answers": _answers(answers, keys), "notes": notes}
        uow.commit()


def _answers(given: Mapping[str, Any], keys: set[str]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in given.items():
        if key not in keys:
            raise InvalidInput(f"no survey question {key!r} in this campaign")
        if value is None or (isinstance(value, str) and len(value) <= MAX_ANSWER):
            kept[key] = value
        elif isinstance(value, list) and all(isinstance(v, str) and len(v) <= MAX_ANSWER for v in value):
            kept[key] = value[:50]
        else:
            raise InvalidInput(f"the draft answer to {key!r} is not understood")
    return kept
