"""The rehearsal's world: a campaign of 500 voters, 20 volunteers, the product and the simulator on one clock.

The run starts on Friday 5 June 2026 at 20:00 in London (an hour before calling hours close) and
goes on through the weekend's shifts to Sunday's close at 21:00, when nobody may be called any more:
every voter is then finished, out of attempts, suppressed, or waiting for a time after the run.

The voters are seeded so that the referee's checks bite: some numbers are on the do-not-call list or
flagged TPS before the run, some were abandoned days ago and are blocked until Saturday noon (or
until after the run), an organiser suppresses more numbers on Saturday morning, and the simulator's
seeded mix makes some calls busy, unanswered, answered by machines or fax, or dead numbers. A few
volunteers' phones drop mid-call on Friday while the provider refuses to hang up their ringing call
(a Twilio outage), so that voter may answer with nobody free: an abandoned call.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlmodel import col, select, update

from dialer.clock import SimClock
from dialer.config import Settings
from dialer.domain.calling_hours import LONDON
from dialer.models import CallAttempt, Campaign, Pledge, Voter
from dialer.services.calling.upkeep import open_phone_bank
from dialer.services.campaigns.campaigns import VoterSpec, add_voters
from dialer.services.compliance import suppression
from dialer.services.compliance.audit import SYSTEM
from dialer.services.geography.seat_finder import SeatFinder, SeatReference
from dialer.simulator import Behaviour, Fault, Mix
from dialer.simulator.webhooks import Transport, WebhookRequest, WebhookResponse
from tests.one_clock import product_and_simulator
from tests.phone_bank_builders import make_campaign, make_volunteer
from tests.rehearsal.crew import Crew, Volunteer
from tests.rehearsal.leaks import LeakScanner

#: Friday 5 June 2026, 20:00 in London (BST).
START = datetime(2026, 6, 5, 20, 0, tzinfo=LONDON).astimezone(UTC)
#: Sunday's close: after it nobody may be rung before Monday 08:00, beyond the run.
HORIZON = datetime(2026, 6, 7, 21, 0, tzinfo=LONDON).astimezone(UTC)
VOLUNTEER_POSTCODES = ["SW1A 1AA", "SW1V 1AA", "E1 6AN", "N1 9GU", "SE1 7PB"]


def london(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A June 2026 day and time in London, in UTC."""
    return datetime(2026, 6, day, hour, minute, second, tzinfo=LONDON).astimezone(UTC)


#: When the volunteers sit down and get up at the latest (London times). Friday's shift runs past
#: the close and Saturday's starts before the opening, so volunteers sit ready while nobody may be rung.
#: A shift ends early once no voter can be rung before its end (the volunteers go home).
SHIFTS = [
    (london(5, 19, 58), london(5, 21, 10)),
    (london(6, 8, 45), london(6, 10, 30)),
    (london(6, 13, 0), london(6, 14, 30)),
    (london(6, 19, 50), london(6, 21, 5)),
    (london(7, 19, 50), london(7, 21, 5)),
]
#: The organiser puts more numbers on the do-not-call list on Saturday morning.
SUPPRESS_LATER_AT = london(6, 8, 0)


def voter_number(n: int) -> str:
    """Ofcom drama numbers: mobiles 07700 900000-900399, London landlines 020 7946 0500-0599."""
    return f"+447700900{n:03d}" if n < 400 else f"+44207946{n + 100:04d}"


def volunteer_number(n: int) -> str:
    return f"+447700900{900 + n:03d}"


@dataclass
class Seeded:
    """What the run was set up with, as the referee's own record (not read back from the dialer)."""

    numbers: dict[int, str] = field(default_factory=dict)  # voter id -> number
    first_names: dict[int, str] = field(default_factory=dict)
    surnames: dict[int, str] = field(default_factory=dict)
    suppressed: set[str] = field(default_factory=set)
    tps: set[str] = field(default_factory=set)
    blocked_until: dict[str, datetime] = field(default_factory=dict)
    suppressed_later: dict[str, datetime] = field(default_factory=dict)


class AnswersHeard:
    """The simulator's webhooks into the product, with the TwiML the product answered each voter with."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.answers: dict[str, list[str]] = {}  # call sid -> TwiML bodies of the answer webhook

    def __call__(self, request: WebhookRequest, timeout: float) -> WebhookResponse:
        response = self.inner(request, timeout)
        if "/voice/answer" in request.url:
            self.answers.setdefault(request.params.get("CallSid", ""), []).append(response.body)
        return response


class Rehearsal:
    def __init__(
        self,
        settings: Settings,
        engine: Any,
        redis: Any,
        redis_url: str,
        seat_reference: SeatReference,
        *,
        voters: int = 500,
        volunteers: int = 20,
        seed: int = 5,
    ) -> None:
        self.clock = SimClock(START - timedelta(minutes=5))
        self.rng = random.Random(seed)
        wired = product_and_simulator(
            settings, engine, redis, redis_url, clock=self.clock, live=self, cps=5, seed=seed
        )
        self.sim, self.services, self.app = wired.sim, wired.services, wired.app
        self.services.seat_finder = SeatFinder(self.services.uow, self.clock, reference=seat_reference)
        self.heard_answers = AnswersHeard(self.sim.transport)
        self.sim.transport = self.heard_answers
        self.bank = self.services.phone_bank
        self.sim.set_mix(Mix(seed=seed))
        self.sim.inject(Fault("duplicate_callback", probability=0.1))
        self.sim.inject(Fault("out_of_order", probability=0.05))
        self.seeded = Seeded()
        self.campaign_id = make_campaign(self.bank, open_now=False)
        self.pledge_id = self._pledge()
        self._add_voters(voters)
        open_phone_bank(self.bank, self.campaign_id)
        names = [*self.seeded.first_names.values(), *self.seeded.surnames.values()]
        self.scanner = LeakScanner(self.seeded.numbers.values(), watch=names)
        phones: dict[int, str] = {}
        self.crew = Crew(
            self.app,
            self.sim,
            self.clock,
            self.scanner,
            campaign_id=self.campaign_id,
            pledge_id=self.pledge_id,
            seed=seed,
            heard=self.heard,
            phones=phones,
        )
        for n in range(volunteers):
            phone = volunteer_number(n)
            user = make_volunteer(self.bank, f"Caller{n}", phone=phone)
            phones[user] = phone
            self.sim.set_behaviour(
                phone, Behaviour.answer(ring=2, talk=12 * 3600, patience_s=12 * 3600, digits="1")
            )
            self.crew.volunteers.append(
                Volunteer(self.crew, n, user, self._email(user), VOLUNTEER_POSTCODES[n % 5])
            )
        self.published = 0
        self.dropped = 0
        self.wall_seconds = 0.0

    # --- LiveUpdates: what the product publishes goes to the Socket.IO server's rooms -------

    def publish(self, room: str, event: str, payload: dict[str, Any]) -> None:
        from web.extensions import socketio

        self.published += 1
        socketio.emit(event, payload, namespace="/live", to=room)
        self.crew.wake()

    # --- the run ------------------------------------------------------------------------

    def run(self) -> None:
        for number, (arrive, leave) in enumerate(SHIFTS):
            self.advance_to(arrive)
            if arrive >= SUPPRESS_LATER_AT and not self.seeded.suppressed_later:
                self._suppress_later()
            for volunteer in self.crew.volunteers:
                volunteer.arrive(look_around=number == 0 or volunteer.number % 7 == number)
                self.advance(3)
            if number == 0:
                self.advance_to(START + timedelta(minutes=12))
                self._drop_phones_mid_call()
            while self.clock.now() < leave and (
                self.clock.now() < START + timedelta(hours=1) or self._anyone_to_call_before(leave)
            ):
                self.advance(min(300.0, (leave - self.clock.now()).total_seconds()))
            for volunteer in self.crew.volunteers:
                volunteer.leave()
            self.advance(10 * 60)  # the last calls end, the last outcomes go in
            for volunteer in self.crew.volunteers:
                if volunteer.session_id is not None and volunteer.seat != "ended":
                    volunteer.leave()
            self.advance(60)
        self.advance_to(HORIZON + timedelta(hours=1))

    def _anyone_to_call_before(self, moment: datetime) -> bool:
        """Whether the phone bank still has a voter to ring before `moment` (what its page says)."""
        with self.services.uow() as uow:
            due = uow.session.exec(
                select(Voter.id).where(
                    Voter.campaign_id == self.campaign_id,
                    col(Voter.done).is_(False),
                    col(Voter.do_not_call).is_(False),
                    col(Voter.tps).is_(False),
                    col(Voter.next_call_at).is_(None) | (col(Voter.next_call_at) < moment),
                    col(Voter.blocked_until).is_(None) | (col(Voter.blocked_until) < moment),
                )
            ).first()
            live = uow.session.exec(select(CallAttempt.id).where(col(CallAttempt.ended_at).is_(None))).first()
        return due is not None or live is not None

    def advance_to(self, moment: datetime) -> None:
        self.advance((moment - self.clock.now()).total_seconds())

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            self.sim.advance(seconds)

    def close(self) -> None:
        from workers import context

        for volunteer in self.crew.volunteers:
            if volunteer.socket is not None:
                volunteer.socket.disconnect(namespace="/live")
        context.use(None)
        self.sim.close()

    def campaign_information_message(self) -> str:
        with self.services.uow() as uow:
            campaign = uow.session.get(Campaign, self.campaign_id)
            assert campaign is not None
            return campaign.information_message

    # --- what a volunteer hears (the simulator is their ear) -------------------------------

    def heard(self, call_id: int) -> str:
        with self.services.uow() as uow:
            call = uow.session.get(CallAttempt, call_id)
            sid = call.provider_sid if call else None
        found = self.sim.switch.records.calls.get(sid or "")
        if found is None or not found.live or found.behaviour is None:
            return "gone"
        if found.behaviour.hangup_after_s is not None:
            return "gone"
        return found.behaviour.kind

    # --- seeding --------------------------------------------------------------------------

    def _pledge(self) -> int:
        with self.services.uow() as uow:
            pledge = Pledge(campaign_id=self.campaign_id, slug="polling-day", text="Take polling day off")
            uow.session.add(pledge)
            uow.commit()
            assert pledge.id is not None
            return pledge.id

    def _add_voters(self, count: int) -> None:
        rng, now = self.rng, self.clock.now()
        specs = [
            VoterSpec(
                f"Voter{n}", voter_number(n), last_name=f"Surname{n}", area="St James's", tps=n % 50 == 7
            )
            for n in range(count)
        ]
        add_voters(self.bank.uow(), self.campaign_id, specs, now=now)
        with self.services.uow() as uow:
            rows = uow.session.exec(select(Voter).where(Voter.campaign_id == self.campaign_id)).all()
            for voter in rows:
                assert voter.id is not None and voter.phone_e164 is not None
                self.seeded.numbers[voter.id] = voter.phone_e164
                self.seeded.first_names[voter.id] = voter.first_name
                self.seeded.surnames[voter.id] = voter.last_name
                if voter.tps:
                    self.seeded.tps.add(voter.phone_e164)
            others = sorted(
                number for number in self.seeded.numbers.values() if number not in self.seeded.tps
            )
            rng.shuffle(others)
            listed, noon, tuesday = others[:10], london(6, 12, 0), london(9, 12, 0)
            for number in others[10:16]:
                self.seeded.blocked_until[number] = noon  # abandoned on Wednesday noon
            for number in others[16:20]:
                self.seeded.blocked_until[number] = tuesday  # abandoned on Saturday: blocked past the run
            for number, until in self.seeded.blocked_until.items():
                uow.session.execute(
                    update(Voter).where(col(Voter.phone_e164) == number).values(blocked_until=until)
                )
            suppression.suppress_numbers(
                uow.session,
                self.clock,
                listed,
                suppression.Reason.OPT_OUT,
                "rehearsal: asked by letter",
                SYSTEM,
            )
            uow.commit()
        self.seeded.suppressed.update(listed)
        self._later_candidates = others[20:]

    def _suppress_later(self) -> None:
        """Saturday morning: an organiser lists ten more numbers of voters the run has not finished."""
        with self.services.uow() as uow:
            waiting = set(
                uow.session.exec(
                    select(Voter.phone_e164).where(
                        Voter.campaign_id == self.campaign_id, col(Voter.done).is_(False)
                    )
                ).all()
            )
        chosen = [number for number in self._later_candidates if number in waiting][:10]
        for number in chosen:
            suppression.add(
                self.services.uow(), self.clock, SYSTEM, number, "opt_out", "rehearsal: by e-mail"
            )
            self.seeded.suppressed_later[number] = self.clock.now()

    def _drop_phones_mid_call(self) -> None:
        """Two volunteers' phones die while their voter's phone rings, and the provider fails to
        hang that call up: the voter may answer with no seat free (an abandoned call)."""
        dropped: list[Volunteer] = []
        for _ in range(300):
            if len(dropped) < 2:
                dropped += self._drop_a_phone(exclude=dropped)
                self.advance(1)
        self.dropped = len(dropped)
        for volunteer in dropped:  # back with a charged phone a few minutes later
            self.clock.call_later(240, partial(volunteer.arrive, look_around=False))

    def _drop_a_phone(self, exclude: list[Volunteer]) -> list[Volunteer]:
        for volunteer in self.crew.volunteers:
            if volunteer in exclude or volunteer.seat != "dialing" or volunteer.call is None:
                continue
            with self.services.uow() as uow:
                call = uow.session.get(CallAttempt, volunteer.call)
                sid = call.provider_sid if call else None
            ringing = self.sim.switch.records.calls.get(sid or "")
            if ringing is None or ringing.status not in ("queued", "ringing") or ringing.behaviour is None:
                continue
            if ringing.behaviour.kind != "answer" or ringing.behaviour.hangup_after_s is not None:
                continue
            self.sim.inject(Fault("rest_5xx", status=503, count=3, match=f"/Calls/{sid}"))
            volunteer.drop_phone()
            return [volunteer]
        return []

    def _email(self, user_id: int) -> str:
        from tests.people import email_of

        return email_of(self.services, user_id)
