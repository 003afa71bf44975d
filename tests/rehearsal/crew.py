"""The volunteers of the rehearsal, using the product as a browser does: pages, JSON actions, Socket.IO.

Each volunteer signs in through the sign-in form, opens the phone banks, the nearest-marginal page and
the calling page, starts a seat with "call my phone" (the simulator answers their phone and presses
1), and follows their seat over a real Flask-SocketIO test client joined to the seat's room. What
arrives on that socket drives them: a voter on the line is listened to (the simulator is their ear),
a machine is hung up on, the sign-up slot is opened, and a few seconds into wrap-up the outcome is
posted. Everything they receive, page, JSON reply or Socket.IO event, goes to the leak scanner.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from dialer.clock import SimClock
from dialer.domain.calling_hours import LONDON
from dialer.simulator import Simulator
from tests.people import PASSWORD
from tests.rehearsal.leaks import LeakScanner

_CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')

#: What a volunteer records after talking to a person, and how often (the rest of the time: talked).
HUMAN_OUTCOMES = [
    ("talked", 0.58),
    ("refused", 0.1),
    ("call_back", 0.08),
    ("wrong_number", 0.05),
    ("do_not_call", 0.05),
    ("moved", 0.04),
    ("deceased", 0.02),
    ("language_barrier", 0.03),
    ("no_answer", 0.05),
]


@dataclass
class Posted:
    """An outcome a volunteer posted and the product accepted: it must be in SQL."""

    user_id: int
    session_id: int
    call_id: int
    disposition: str
    outcome_id: int


@dataclass
class Volunteer:
    """One volunteer: a browser session (Flask test client) and a socket, across several shifts."""

    crew: Crew
    number: int
    user_id: int
    email: str
    postcode: str
    client: FlaskClient | None = None
    socket: Any = None
    csrf: str = ""
    session_id: int | None = None
    seat: str = "off"
    call: int | None = None
    voter_id: int | None = None
    heard: dict[int, str] = field(default_factory=dict)  # call -> what was on the line
    pending_outcome: int | None = None
    leaving: bool = False
    sessions: list[int] = field(default_factory=list)

    # --- arriving and leaving -----------------------------------------------------------

    def arrive(self, *, look_around: bool) -> None:
        """Sign in, look at the pages a volunteer sees, open the calling page and start a seat."""
        crew = self.crew
        self.client = crew.app.test_client()
        self.get("/sign-in")
        reply = self.client.post(
            "/sign-in", data={"email": self.email, "password": PASSWORD, "csrf_token": self.csrf}
        )
        assert reply.status_code == 303, f"{self.email} could not sign in ({reply.status_code})"
        self.get("/")
        self.get("/call")
        if look_around:
            self.get(f"/marginals?postcode={self.postcode}")
            self.get(f"/api/marginals/nearest?postcode={self.postcode}")
        self.get(f"/call/{crew.campaign_id}")
        started = self.post(f"/call/{crew.campaign_id}/session", {"audio": "phone"})
        self.session_id = int(started["session"])
        self.sessions.append(self.session_id)
        self.seat, self.call, self.leaving = started["state"], None, False
        from web.extensions import socketio

        self.socket = socketio.test_client(crew.app, namespace="/live", flask_test_client=self.client)
        assert self.socket.is_connected("/live"), f"{self.email}'s socket was refused"
        joined = self.socket.emit("join", {"seat": self.session_id}, namespace="/live", callback=True)
        assert joined == {"ok": True, "seat": self.session_id}, joined

    def leave(self) -> None:
        """End the seat once no call is in hand (a volunteer does not walk out on a voter)."""
        self.leaving = True
        if self.session_id is None or self.seat == "ended":
            self.disconnect()
            return
        if self.seat in ("dialing", "connected", "wrap_up") or self.pending_outcome is not None:
            return  # done after the outcome (see record)
        self.post(f"/call/session/{self.session_id}/end")
        self.seat = "ended"

    def drop_phone(self) -> None:
        """The volunteer's own phone hangs up (a dead battery): the product ends the seat by itself."""
        crew = self.crew
        switch = crew.sim.switch
        with switch.transaction():
            for call in switch.records.calls_by_to.get(crew.phone_of(self), []):
                if call.live:
                    switch.hangup(call, by="callee")
        self.leaving = True

    def disconnect(self) -> None:
        if self.socket is not None:
            self.read_socket()
            self.socket.disconnect(namespace="/live")
            self.socket = None
        self.session_id, self.seat = None, "off"

    # --- following the seat -------------------------------------------------------------

    def read_socket(self) -> None:
        if self.socket is None:
            return
        for message in self.socket.get_received("/live"):
            name, args = message["name"], message["args"]
            self.crew.scanner.scan("socket", name, args)
            self.crew.socket_events += 1
            payload = args[0] if isinstance(args, list) and args else args
            if isinstance(payload, dict):
                if name in ("seat", "call") and payload.get("session") not in self.sessions:
                    self.crew.foreign_events += 1  # another seat's news: the room should not carry it
                self.on_event(name, payload)

    def on_event(self, name: str, payload: dict[str, Any]) -> None:
        if name == "seat" and payload.get("session") == self.session_id:
            before, self.seat = self.seat, payload["state"]
            if payload.get("call"):
                self.call = payload["call"]
            if self.seat == "connected" and before != "connected":
                self.crew.later(2, self.listen)
            elif self.seat == "wrap_up" and self.call is not None and self.pending_outcome != self.call:
                self.pending_outcome = self.call
                call = self.call
                self.crew.later(self.crew.rng.uniform(3, 9), lambda: self.record(call))
            elif self.seat == "ready" and self.leaving:
                self.crew.later(1, self.leave)
            elif self.seat == "ended":
                self.crew.later(0, self.disconnect)
        elif name == "voter":
            voter = payload.get("voter")
            if voter:
                self.voter_id = voter["voter_id"]
                self.call = payload.get("call") or self.call
                if self.crew.rng.random() < 0.08:  # a reload of the calling page mid-shift
                    self.get(f"/call/{self.crew.campaign_id}")
                    self.get(f"/call/session/{self.session_id}")

    def listen(self) -> None:
        """A couple of seconds into a connected call: who is there, and what to do about it."""
        if self.seat != "connected" or self.call is None:
            return
        heard = self.heard[self.call] = self.crew.heard(self.call)
        self.get(f"/call/session/{self.session_id}")
        if heard in ("machine", "fax"):
            self.crew.later(2, lambda: self.hang_up())
            return
        if heard == "answer" and self.voter_id is not None:
            self.get(f"/signups/voters/{self.voter_id}/options")
            if self.crew.rng.random() < 0.1:  # some volunteers save the outcome before the voter hangs up
                call = self.call
                self.pending_outcome = call
                self.crew.later(20, lambda: self.record(call))

    def hang_up(self) -> None:
        if self.seat == "connected":
            self.post(f"/call/session/{self.session_id}/hang-up", expect=(200, 409))

    def record(self, call_id: int) -> None:
        if self.session_id is None:
            return
        crew = self.crew
        disposition = {"machine": "machine", "fax": "wrong_number", "gone": "no_answer", "": "no_answer"}.get(
            self.heard.get(call_id, "")
        ) or crew.rng.choices([d for d, _ in HUMAN_OUTCOMES], [w for _, w in HUMAN_OUTCOMES])[0]
        body: dict[str, Any] = {
            "call": call_id,
            "disposition": disposition,
            "idempotency_key": f"o-{call_id}",
        }
        if disposition == "talked":
            body["answers"] = {"intention": crew.rng.choice(["Lab", "Con", "LD"]), "support": "4"}
        if disposition == "call_back":
            body["call_back_at"] = crew.call_back_time().isoformat()
        pause = not self.leaving and crew.rng.random() < 0.05
        body["pause_after"] = pause
        reply = self.post(f"/call/session/{self.session_id}/outcome", body, expect=(200, 409))
        if "outcome" in reply:
            crew.posted.append(Posted(self.user_id, self.session_id, call_id, disposition, reply["outcome"]))
            if crew.rng.random() < 0.1:  # a double click: the same form again is the same outcome
                again = self.post(f"/call/session/{self.session_id}/outcome", body)
                assert again["outcome"] == reply["outcome"]
            if disposition == "talked" and self.voter_id is not None and crew.rng.random() < 0.3:
                self.post(
                    f"/signups/voters/{self.voter_id}",
                    {"kind": "pledge", "id": crew.pledge_id, "outcome_id": reply["outcome"]},
                )
        if self.pending_outcome == call_id:
            self.pending_outcome = None
        if pause:
            session_id = self.session_id
            crew.later(60, lambda: self.post(f"/call/session/{session_id}/resume", expect=(200, 404, 409)))
        if self.leaving:
            crew.later(1, self.leave)

    # --- HTTP, captured -----------------------------------------------------------------

    def get(self, path: str) -> TestResponse:
        assert self.client is not None
        reply = self.client.get(path)
        self.capture(path, reply)
        return reply

    def post(self, path: str, body: dict[str, Any] | None = None, *, expect: tuple[int, ...] = (200,)) -> Any:
        assert self.client is not None
        reply = self.client.post(path, json=body or {}, headers={"X-CSRFToken": self.csrf})
        self.capture(path, reply)
        assert reply.status_code in expect, f"POST {path}: {reply.status_code} {reply.get_data(as_text=True)}"
        return reply.get_json(silent=True) or {}

    def capture(self, path: str, reply: TestResponse) -> None:
        text = reply.get_data(as_text=True)
        kind = "json" if reply.is_json else "html" if "html" in (reply.content_type or "") else "other"
        self.crew.scanner.scan(kind, path, text)
        if kind == "html" and (found := _CSRF_META.search(text)):
            self.csrf = found.group(1)


class Crew:
    """All the volunteers; woken (on the simulated clock) whenever something is published to a room."""

    def __init__(
        self,
        app: Flask,
        sim: Simulator,
        clock: SimClock,
        scanner: LeakScanner,
        *,
        campaign_id: int,
        pledge_id: int,
        seed: int,
        heard: Callable[[int], str],
        phones: dict[int, str],
    ) -> None:
        self.app, self.sim, self.clock, self.scanner = app, sim, clock, scanner
        self.campaign_id, self.pledge_id = campaign_id, pledge_id
        self.rng = random.Random(seed)
        self.heard = heard
        self._phones = phones
        self.volunteers: list[Volunteer] = []
        self.posted: list[Posted] = []
        self.socket_events = 0
        self.foreign_events = 0
        self._woken = False

    def phone_of(self, volunteer: Volunteer) -> str:
        return self._phones[volunteer.user_id]

    def later(self, seconds: float, action: Callable[[], object]) -> None:
        self.clock.call_later(seconds, action)

    def wake(self) -> None:
        """Something was published: read every socket at the next step (not inside the publisher)."""
        if not self._woken:
            self._woken = True
            self.clock.call_later(0.2, self._read_all)

    def _read_all(self) -> None:
        self._woken = False
        for volunteer in self.volunteers:
            volunteer.read_socket()

    def call_back_time(self) -> datetime:
        """A time the voter asks to be called back: an hour or so from now, or tomorrow evening."""
        now = self.clock.now().astimezone(LONDON)
        choice = now + timedelta(minutes=self.rng.choice([70, 95]))
        if not 9 <= choice.hour < 20:
            choice = (now + timedelta(days=1)).replace(hour=20, minute=self.rng.randrange(5, 40))
        return choice.replace(second=0, microsecond=0)
