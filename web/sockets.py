"""The /live Socket.IO namespace: signed-in volunteers join their own seat's room and their campaign's room."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_socketio import Namespace, SocketIO, join_room

from dialer.adapters.live import NAMESPACE
from dialer.models import CallingSession
from dialer.services.phone_bank import campaign_room, seat_room
from web.services import services


class LiveNamespace(Namespace):  # type: ignore[misc]
    def on_connect(self, auth: Any = None) -> bool:
        return bool(current_user.is_authenticated)

    def on_join(self, data: Any) -> dict[str, Any]:
        """Join {"seat": id} (only your own) or {"campaign": id}; replies with what was joined."""
        if not current_user.is_authenticated or not isinstance(data, dict):
            return {"ok": False}
        if "seat" in data:
            with services().uow() as uow:
                seat = uow.session.get(CallingSession, _int(data["seat"]))
                if seat is None or seat.user_id != current_user.id:
                    return {"ok": False, "error": "not your seat"}
                join_room(seat_room(seat.id or 0))
                join_room(campaign_room(seat.campaign_id))
            return {"ok": True, "seat": seat.id, "campaign": seat.campaign_id}
        if "campaign" in data:
            join_room(campaign_room(_int(data["campaign"])))
            return {"ok": True, "campaign": _int(data["campaign"])}
        return {"ok": False}


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


_registered: set[int] = set()


def register(socketio: SocketIO) -> None:
    """Attach the namespace once per SocketIO object (apps made in tests share one); call before init_app."""
    if id(socketio) not in _registered:
        socketio.on_namespace(LiveNamespace(NAMESPACE))
        _registered.add(id(socketio))
