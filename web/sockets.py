"""The /live Socket.IO namespace: who may listen to which room.

- A signed-in volunteer joins their own seat's room (`join {seat}`): their seat's state, the voter
  card, the call, outcomes and totals. Another account's seat is refused.
- A campaign's organisers (and admins) watch the campaign's room (`watch_campaign {campaign_id}`):
  seats and calls without names, and the dashboard's deltas (`tally`, `volunteer`, `pool`,
  `reconciled`, `campaign`); with `constituency`, one target seat's room and its figures only.
- A signed-in volunteer follows what is for them alone (`watch_me`): a calling shift of theirs
  starting (`shift_started`).
- A campaign's organisers watch a voter import's progress (`watch_import {import_id}`), and are
  sent its state at once.

Every handler declares its policy (web/access.py); refused events are acknowledged with
`{"error": "forbidden"}` (or "sign in first").
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import Namespace, SocketIO, emit, join_room

from dialer.adapters.live import NAMESPACE
from dialer.errors import NotFound
from dialer.models import CallingSession, VoterImport
from dialer.services.calling.dashboard import target_seats
from dialer.services.calling.shifts import volunteer_room
from dialer.services.campaigns import voter_import
from dialer.services.phone_bank import campaign_room, constituency_room, seat_room
from web.access import organiser_of, signed_in, socket_policy
from web.identity import account_id, remember_socket
from web.services import services

FORBIDDEN = {"error": "forbidden"}


class LiveNamespace(Namespace):  # type: ignore[misc]
    @socket_policy(signed_in)
    def on_connect(self, auth: Any = None) -> None:
        remember_socket(request.sid)  # type: ignore[attr-defined]  # Flask-SocketIO's; closed with the session
        return None

    @socket_policy(signed_in)
    def on_join(self, data: Any) -> dict[str, Any]:
        """Join {"seat": id}, one of your own seats; replies with the seat joined."""
        seat_id = _id(data, "seat")
        with services().uow() as uow:
            seat = uow.session.get(CallingSession, seat_id) if seat_id is not None else None
            if seat is None or seat.user_id != account_id():
                return FORBIDDEN
            join_room(seat_room(seat.id or 0))
            return {"ok": True, "seat": seat.id}

    @socket_policy(signed_in)
    def on_watch_me(self, data: Any = None) -> dict[str, Any]:
        """Follow what is for this volunteer alone: their calling shifts starting."""
        join_room(volunteer_room(account_id()))
        return {"ok": True}

    @socket_policy(organiser_of, arg="campaign_id")
    def on_watch_campaign(self, data: dict[str, Any]) -> dict[str, Any]:
        """Follow a campaign's seats, calls and live figures (its organisers' dashboards); with
        `constituency` (one of its target seats), only that seat's figures."""
        campaign_id = _id(data, "campaign_id")
        assert campaign_id is not None  # the policy let in a campaign id
        constituency = data.get("constituency")
        if constituency is None:
            join_room(campaign_room(campaign_id))
            return {"ok": True, "campaign": campaign_id}
        if not isinstance(constituency, str) or constituency not in _target_seats(campaign_id):
            return {"error": "not one of this campaign's seats"}
        join_room(constituency_room(campaign_id, constituency))
        return {"ok": True, "campaign": campaign_id, "constituency": constituency}

    @socket_policy(organiser_of, arg="import_id", campaign_of=VoterImport)
    def on_watch_import(self, data: dict[str, Any]) -> dict[str, Any]:
        """An import's progress page joins the import's room and is sent its state now."""
        import_id = _id(data, "import_id")
        try:
            progress, _ = voter_import.progress(services().uow(), import_id or 0)
        except NotFound:
            return {"error": "no such import"}
        join_room(voter_import.room(progress.id))
        emit(voter_import.PROGRESS_EVENT, progress.as_dict())
        return {"ok": True, "import": progress.id}


def _target_seats(campaign_id: int) -> set[str]:
    with services().uow() as uow:
        return {code for code, _ in target_seats(uow.session, campaign_id)}


def _id(data: Any, key: str) -> int | None:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < 2**31 else None


_registered: set[int] = set()


def register(socketio: SocketIO) -> None:
    """Attach the namespace once per SocketIO object (apps made in tests share one); call before init_app."""
    if id(socketio) not in _registered:
        socketio.on_namespace(LiveNamespace(NAMESPACE))
        _registered.add(id(socketio))
