"""A phone-bank shift run in-process against the Twilio simulator, for the dashboard's tests.

The product (web app, jobs on the SimClock, the simulator's REST API through twilio-python) and the
simulator share one clock; volunteers join with "call my phone" (the simulator answers their phone
and presses 1), voters are drawn from a seeded mix, and each volunteer records an outcome a few
seconds after their seat goes to wrap-up, signing some voters up for the campaign's event and pledge
during the call. `advance(seconds)` moves the whole world on.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from dialer.adapters.live import RecordingLiveUpdates
from dialer.clock import SimClock
from dialer.config import Settings
from dialer.domain.campaigns import DialingMode
from dialer.domain.seats import AudioLeg
from dialer.errors import Conflict
from dialer.models import Event, Pledge
from dialer.ports import LiveUpdates
from dialer.services.calling import sessions
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from dialer.services.signups import signup_slot
from dialer.simulator import Behaviour, Fault, Mix
from tests.one_clock import product_and_simulator
from tests.phone_bank_builders import SEAT, drama_number, make_campaign, make_volunteer

#: What volunteers record, in turn (with survey answers when they talked).
DISPOSITIONS = ["talked", "talked", "refused", "talked", "no_answer"]


class Volunteers(RecordingLiveUpdates):
    """Plays the volunteers: records an outcome a few seconds after each seat goes to wrap-up.

    Everything published is also passed to `relay` (e.g. a Socket.IO server's clients)."""

    def __init__(self, clock: SimClock, relay: LiveUpdates | None = None) -> None:
        super().__init__()
        self.clock = clock
        self.relay = relay
        self.shift: Shift | None = None

    def publish(self, room: str, event: str, payload: dict[str, Any]) -> None:
        super().publish(room, event, payload)
        if self.relay is not None:
            self.relay.publish(room, event, payload)
        if event == "seat" and room.startswith("seat:") and payload["state"] == "wrap_up" and self.shift:
            shift, session_id, call_id = self.shift, payload["session"], payload["call"]
            self.clock.call_later(4, lambda: shift.record(session_id, call_id))


class Shift:
    def __init__(
        self,
        settings: Settings,
        engine: Any,
        redis: Any,
        redis_url: str,
        *,
        voters: int = 40,
        volunteers: int = 4,
        seed: int = 8,
        relay: LiveUpdates | None = None,
        faults: bool = True,
        mode: DialingMode = DialingMode.POWER,
        detect_machines: bool = False,
    ) -> None:
        self.clock = SimClock()
        self.live = Volunteers(self.clock, relay)
        wired = product_and_simulator(
            settings, engine, redis, redis_url, clock=self.clock, live=self.live, cps=5
        )
        self.sim, self.services, self.app = wired.sim, wired.services, wired.app
        self.bank = self.services.phone_bank
        self.sim.set_mix(Mix(seed=seed))
        if faults:  # Twilio may repeat a callback or deliver one late: neither may count twice
            self.sim.inject(Fault("duplicate_callback", probability=0.3))
            self.sim.inject(Fault("out_of_order", probability=0.1))
        self.campaign_id = make_campaign(
            self.bank, voters=voters, first_number=100, mode=mode, detect_machines=detect_machines
        )
        self.pledge_id, self.event_id = self._signup_offers()
        self.turn = itertools.count()
        self.users: dict[int, int] = {}  # session -> volunteer
        self.live.shift = self
        for n in range(volunteers):
            self.add_volunteer(f"Vol{n}", drama_number(900 + n))

    def add_volunteer(self, name: str, phone: str) -> int:
        user = make_volunteer(self.bank, name, phone=phone)
        self.sim.set_behaviour(
            phone, Behaviour.answer(ring=1, talk=12 * 3600, patience_s=12 * 3600, digits="1")
        )
        started = sessions.start_session(self.bank, user, self.campaign_id, AudioLeg.PHONE)
        self.users[started.session_id] = user
        return started.session_id

    def advance(self, seconds: float) -> None:
        self.sim.advance(seconds)

    def record(self, session_id: int, call_id: int) -> None:
        turn = next(self.turn)
        disposition = DISPOSITIONS[turn % len(DISPOSITIONS)]
        talked = disposition == "talked"
        user = self.users[session_id]
        if talked and turn % 2 == 0:
            voter_id = self._voter_of(call_id)
            signup_slot.sign_up_voter(
                self.services.uow(), self.clock, voter_id, outcome_id=None, pledge_id=self.pledge_id
            )
            signup_slot.sign_up_voter(
                self.services.uow(), self.clock, voter_id, outcome_id=None, event_id=self.event_id
            )
        answers: dict[str, object] = (
            {"intention": ["Lab", "Con", "LD"][turn % 3], "support": str(1 + turn % 5)} if talked else {}
        )
        if talked and turn % 3 == 0:
            answers["help"] = ["Leaflets", "Doors"]
            answers["notes"] = "Keen, call again in May"
        with contextlib.suppress(Conflict):  # recorded already (a repeated wrap-up notice)
            record_outcome(
                self.bank,
                user,
                session_id,
                OutcomeForm(
                    call_id=call_id, disposition=disposition, answers=answers, idempotency_key=f"k{call_id}"
                ),
            )

    def on_each(self, seconds: float, step: float, action: Callable[[], object]) -> None:
        """Advance `seconds` in steps, running `action` after each (a browser test's checkpoints)."""
        moved = 0.0
        while moved < seconds:
            self.advance(step)
            moved += step
            action()

    def close(self) -> None:
        from workers import context

        context.use(None)
        self.sim.close()

    def _voter_of(self, call_id: int) -> int:
        from dialer.models import CallAttempt

        with self.services.uow() as uow:
            call = uow.session.get(CallAttempt, call_id)
            assert call is not None
            return call.voter_id

    def _signup_offers(self) -> tuple[int, int]:
        now = self.clock.now()
        with self.services.uow() as uow:
            pledge = Pledge(campaign_id=self.campaign_id, slug="polling-day", text="Take polling day off")
            event = Event(
                campaign_id=self.campaign_id, ons_code=SEAT, title="Doors in Pimlico",
                starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=3),
                meeting_postcode="SW1V 1AA", lat=51.49, lon=-0.14, capacity=3,
            )  # fmt: skip
            uow.session.add_all([pledge, event])
            uow.commit()
            assert pledge.id is not None and event.id is not None
            return pledge.id, event.id
