"""What volunteers' and organisers' screens are told, sent only once the change is durable in SQL.

Every payload is built here from an explicit list of fields, none of which is a phone number:
a volunteer's page learns a voter's first name, area and history, never how to reach them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from dialer.models import CallingSession
from dialer.ports import LiveUpdates
from dialer.services.phone_bank import campaign_room, seat_room


@dataclass(frozen=True)
class HistoryItem:
    when: str  # ISO date
    outcome: str  # the disposition's label


@dataclass(frozen=True)
class Housemate:
    """Someone else on the campaign's list at the number being called (a shared landline)."""

    voter_id: int
    first_name: str
    last_name: str | None


@dataclass(frozen=True)
class VoterCard:
    """What a volunteer sees about the voter they are calling (deliberately no phone number).

    When others on the list share the number, `ask_for` is the name to ask for and `household`
    lists them, so the volunteer can record what came of each one they spoke to or asked for.
    """

    voter_id: int
    first_name: str
    last_name: str | None
    area: str
    attempts: int
    history: list[HistoryItem] = field(default_factory=list)
    ask_for: str | None = None
    household: list[Housemate] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Notices:
    """Events to publish, and Redis updates to make, once the unit of work commits (send() after commit())."""

    live: LiveUpdates
    _pending: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    _effects: list[Callable[[], object]] = field(default_factory=list)

    def then(self, effect: Callable[[], object]) -> None:
        """Run `effect` at send(), after the durable change it follows from."""
        self._effects.append(effect)

    def seat(self, seat: CallingSession, *, reason: str = "") -> None:
        assert seat.id is not None
        payload = seat_payload(seat)
        if reason:
            payload["reason"] = reason
        self._pending.append((seat_room(seat.id), "seat", payload))
        self._pending.append(
            (
                campaign_room(seat.campaign_id),
                "seat",
                {
                    "session": seat.id,
                    "state": seat.state.value,
                    "volunteer": seat.user_id,
                    "since": _iso(seat.state_changed_at),
                },
            )
        )

    def voter(self, session_id: int, card: VoterCard | None, *, call_id: int | None, preview: bool) -> None:
        payload = {"voter": card.as_dict() if card else None, "call": call_id, "preview": preview}
        self._pending.append((seat_room(session_id), "voter", payload))

    def outcome(self, session_id: int, call_id: int, disposition: str, totals: dict[str, int]) -> None:
        self._pending.append(
            (seat_room(session_id), "outcome", {"call": call_id, "disposition": disposition})
        )
        self._pending.append((seat_room(session_id), "totals", totals))

    def send(self) -> None:
        effects, self._effects = self._effects, []
        for effect in effects:
            effect()
        pending, self._pending = self._pending, []
        for room, event, payload in pending:
            self.live.publish(room, event, payload)


def seat_payload(seat: CallingSession) -> dict[str, Any]:
    return {
        "session": seat.id,
        "campaign": seat.campaign_id,
        "state": seat.state.value,
        "audio": seat.audio.value,
        "call": seat.current_call_id,
        "since": _iso(seat.state_changed_at),
        "pause_after_call": seat.pause_after_call,
        "away": seat.away_since is not None,  # held for a volunteer whose audio went away
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
