"""Fault drills under load, each followed by the checks (checks.py).

A `Rig` is a running deployment with a staged phone bank, its volunteers calling and its organisers
watching. Each drill lets the load run, does one thing that goes wrong in production, lets the load
run on, then settles the phone bank and checks it:

| drill | what goes wrong |
|---|---|
| `worker_killed` | kill -9 an RQ worker while it runs a job (a new one takes its place) |
| `web_restarted` | kill -9 a web process and start it again (its sockets drop; webhooks go elsewhere) |
| `redis_restarted` | Redis loses everything (restart of a Redis without persistence, or FLUSHDB) |
| `sockets_dropped` | half the volunteers on a call lose their connection and come back |
| `volunteers_went_away` | volunteers on a call reload their page, lose their connection for 20 s, or lose their phone (and ring it again) |
| `callbacks_duplicated_and_delayed` | Twilio repeats callbacks and sends some out of order |
| `telephony_throttled` | the Calls API answers 429, then 503, for a while |
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from sqlmodel import col, func, select

from dialer.bootstrap import Services, build
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, CallingSession
from dialer.services.calling import dashboard, upkeep
from dialer.services.organising import campaign_control
from dialer.services.phone_bank import PhoneBank
from harness.loopback import checks
from harness.loopback.checks import Verdict
from harness.loopback.crowd import GAP_S, CrowdProcesses
from harness.loopback.deployment import Deployment, Shape
from harness.loopback.staging import PASSWORD, PhoneBankStage, fresh_schema, stage_phone_bank

#: Volunteers' own phones answer at once, press 1, and stay on the line for the whole session.
VOLUNTEER_PHONE = {
    "kind": "answer",
    "ring_s": 1,
    "talk_s": 10_000_000,
    "patience_s": 10_000_000,
    "digits": "1",
}


#: How soon after a fault the phone bank must be placing calls again (a worker notices a Redis that
#: lost everything between jobs, or within RECOVERY_CHECK_S when idle, after reconnecting).
RECOVER_WITHIN_S = 30.0


@dataclass(frozen=True)
class Load:
    """The crowd: how many volunteers and dashboards, in how many client processes, and the
    voters' behaviour on the simulator's clock (seconds)."""

    volunteers: int = 4
    voters_per_volunteer: int = 40
    dashboards: int = 2
    client_processes: int = 1
    wrap_s: float = 1.0
    weights: dict[str, float] = field(
        default_factory=lambda: {"answer": 0.45, "no-answer": 0.3, "busy": 0.15, "invalid": 0.1}
    )
    ring_s: tuple[float, float] = (3.0, 12.0)
    talk_s: tuple[float, float] = (20.0, 90.0)


@dataclass
class DrillResult:
    name: str
    verdicts: list[Verdict]
    facts: dict[str, Any]

    @property
    def ok(self) -> bool:
        return all(verdict.ok for verdict in self.verdicts)


class Rig:
    """A deployment with a staged phone bank and its crowd, ready for load and drills."""

    def __init__(self, shape: Shape, load: Load, folder: Path) -> None:
        self.shape = shape
        self.load = load
        self.folder = folder
        self.deployment = Deployment(shape, folder)
        # The balancer stands for nginx, which passes on each client's address: the crowd's clients
        # send it (crowd.Browser), so per-address limits see volunteers at home, not one address.
        self.deployment.env["TRUSTED_PROXIES"] = "1"
        self.services: Services
        self.stage: PhoneBankStage
        self.crowd: CrowdProcesses
        #: Seconds each step of setting up took (the schema, the processes, the stage, the crowd).
        self.setup_s: dict[str, float] = {}
        self._stack = contextlib.ExitStack()

    def _step(self, name: str, since: float) -> float:
        now = time.monotonic()
        self.setup_s[name] = round(now - since, 1)
        return now

    def __enter__(self) -> Rig:
        try:
            since = time.monotonic()
            fresh_schema(self.deployment.database_url)
            since = self._step("schema", since)
            self._stack.enter_context(self.deployment)
            since = self._step("processes", since)
            self.stage = stage_phone_bank(
                self.deployment.database_url,
                volunteers=self.load.volunteers,
                voters=self.load.volunteers * self.load.voters_per_volunteer,
            )
            self.services = build(self.deployment.settings)
            self._stack.callback(lambda: self.services.close())
            self._simulate_people()
            upkeep.open_phone_bank(self.services.phone_bank, self.campaign_id)
            since = self._step("stage", since)
            self.crowd = CrowdProcesses(
                self.deployment.public_url,
                self.campaign_id,
                [email for email, _ in self.stage.volunteers],
                organiser=self.stage.organiser_email,
                password=PASSWORD,
                dashboards=self.load.dashboards,
                processes=self.load.client_processes,
                folder=self.folder,
                wrap_s=self.load.wrap_s,
                quiet_s=max(20.0, self.load.talk_s[1] / self.shape.speed * 2),
            )
            self._stack.callback(self.crowd.stop)
            self._step("crowd", since)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @property
    def campaign_id(self) -> int:
        return self.stage.campaign_id

    @property
    def bank(self) -> PhoneBank:
        return self.services.phone_bank

    # --- the simulator's control plane ------------------------------------------------------

    def sim(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        settings = self.deployment.settings
        reply = requests.request(
            method, f"{settings.simulator_url}/_sim{path}", json=body,
            auth=(settings.account_sid, settings.auth_token), timeout=30,
        )  # fmt: skip
        reply.raise_for_status()
        return reply.json() if reply.content else None

    def _simulate_people(self) -> None:
        load = self.load
        self.sim(
            "PUT", "/mix",
            {"seed": self.shape.seed, "weights": load.weights, "ring_s": list(load.ring_s), "talk_s": list(load.talk_s),
             "hangup_during_message": 0.0, "misclassified": 0.0},
        )  # fmt: skip
        for _, phone in self.stage.volunteers:
            self.sim("PUT", f"/behaviours/{phone}", VOLUNTEER_PHONE)

    # --- running and checking -------------------------------------------------------------------

    def run_load(self, seconds: float) -> None:
        time.sleep(seconds)

    def calls_end_within_s(self) -> float:
        """How long, in real seconds, the longest call can last (ring, talk) plus a margin."""
        longest = self.load.ring_s[1] + self.load.talk_s[1] + 25
        return longest / self.shape.speed + 10 + 2 * self.load.wrap_s

    def settle_and_check(self, *, since: datetime | None = None) -> tuple[list[Verdict], dict[str, Any]]:
        """Pause the phone bank, let it come to rest, check everything, then resume it."""
        bank = self.bank
        campaign_control.change_status(bank, self.campaign_id, "pause")
        settled = checks.settle(bank, self.campaign_id, calls_end_within_s=self.calls_end_within_s())
        report = self._converged_report()
        acknowledged = {
            int(call): outcome
            for volunteer in report["volunteers"]
            for call, outcome in volunteer["acknowledged"].items()
        }
        settings = self.deployment.settings
        verdicts = [
            checks.no_lost_outcome(bank, acknowledged),
            checks.no_voter_in_two_calls(
                settings.simulator_url,
                (settings.account_sid, settings.auth_token),
                set(self.stage.voter_phones),
            ),
            checks.no_seat_stuck(bank, self.campaign_id),
            checks.every_call_final(bank, self.campaign_id),
            checks.dashboards_match_recount(bank, self.campaign_id, report["dashboards"]),
            checks.every_conversation_recorded(bank, self.campaign_id),
        ]
        if since is not None:
            verdicts.append(self.dialled_since(since))
        unsaved = [call for volunteer in report["volunteers"] for call in volunteer["unsaved"]]
        facts = settled | {"unsaved_outcomes": len(unsaved)}
        campaign_control.change_status(bank, self.campaign_id, "resume")
        return verdicts, facts

    def dialled_since(self, since: datetime) -> Verdict:
        """Liveness: the phone bank placed calls again after the fault."""
        with self.services.uow() as uow:
            placed = uow.session.exec(
                select(func.count()).where(
                    CallAttempt.campaign_id == self.campaign_id,
                    col(CallAttempt.provider_sid).is_not(None),
                    col(CallAttempt.placed_at) > since,
                )
            ).one()
        return Verdict("calls were placed after the fault", placed > 0, f"{placed} calls placed")

    def _converged_report(self, timeout_s: float = 3 * (GAP_S + 2)) -> dict[str, Any]:
        """The crowd's report once its dashboards have caught up with the record (or the last one)."""
        with self.services.uow() as uow:
            recount = dashboard.recount(uow.session, self.campaign_id)
        deadline = time.monotonic() + timeout_s
        while True:
            report = self.crowd.report()
            caught_up = all(
                {k: v for k, v in board["figures"].items() if v} == recount for board in report["dashboards"]
            )
            if caught_up or time.monotonic() > deadline:
                return report
            time.sleep(0.5)

    def drill(
        self, name: str, fault: Callable[[], dict[str, Any] | None], *, before_s: float, after_s: float
    ) -> DrillResult:
        """Load, the fault, load again (at least `after_s`, and until a call is placed after the fault
        or RECOVER_WITHIN_S has passed), then settle and check."""
        self.run_load(before_s)
        facts = fault() or {}
        fault_over = datetime.now(UTC)
        self.run_load(after_s)
        checks.wait_until(lambda: self.dialled_since(fault_over).ok, RECOVER_WITHIN_S - after_s, every_s=0.5)
        facts["dialling_again_after_s"] = round((datetime.now(UTC) - fault_over).total_seconds(), 1)
        verdicts, settled = self.settle_and_check(since=fault_over)
        return DrillResult(name, verdicts, facts | settled)

    def drop_phones(self, share: float) -> int:
        """Hang up the phone leg of `share` of all the volunteers (at least one), taken from those
        talking to a voter (their phone dropped: the product holds the seat, the volunteer asks for
        their phone to be rung again)."""
        with self.bank.uow() as uow:
            legs = [
                leg
                for leg in uow.session.exec(
                    select(CallingSession.leg_call_sid).where(
                        CallingSession.campaign_id == self.campaign_id,
                        CallingSession.state == SeatState.CONNECTED,
                    )
                ).all()
                if leg
            ]
        settings = self.deployment.settings
        chosen = random.sample(legs, min(max(1, round(share * self.load.volunteers)), len(legs)))
        for leg in chosen:
            requests.post(
                f"{settings.simulator_url}/2010-04-01/Accounts/{settings.account_sid}/Calls/{leg}.json",
                data={"Status": "completed"},
                auth=(settings.account_sid, settings.auth_token),
                timeout=30,
            )
        return len(chosen)

    def rebuild_services(self) -> None:
        """A fresh set of connections for the harness itself (after Redis went away)."""
        self.services.close()
        self.services = build(self.deployment.settings)


# --- the drills ------------------------------------------------------------------------------------


def worker_killed(rig: Rig) -> dict[str, Any]:
    return {"job_interrupted": rig.deployment.kill_worker_mid_job(0)}


def web_restarted(rig: Rig) -> dict[str, Any]:
    rig.deployment.restart_web(0)
    return {}


def redis_restarted(rig: Rig) -> dict[str, Any]:
    rig.deployment.restart_redis()
    rig.rebuild_services()
    return {"redis": "restarted" if rig.deployment.redis_port else "flushed"}


def sockets_dropped(rig: Rig) -> dict[str, Any]:
    return {"sockets_dropped": rig.crowd.drop(0.5, 2.0)}


#: How long the volunteers whose connection drops stay away (a wifi drop, a lid closed for a moment).
AWAY_S = 20.0


def volunteers_went_away(rig: Rig, share: float = 0.5) -> dict[str, Any]:
    """Volunteers on a call go away in the three ways a real night has: a reload, a lost connection
    (AWAY_S), a dropped phone. Each way takes a third of `share` of all the volunteers, chosen from
    those on a call at that moment."""
    return {
        "reloaded": rig.crowd.reload(share / 3),
        "sockets_lost_20s": rig.crowd.drop(share / 3, AWAY_S),
        "phones_dropped": rig.drop_phones(share / 3),
    }


def volunteers_went_away_and_came_back(rig: Rig) -> dict[str, Any]:
    """The drill waits for the volunteers who lost their connection to be back before the checks:
    until then their seats rightly wait in wrap-up for the outcome they will record."""
    facts = volunteers_went_away(rig)
    rig.run_load(AWAY_S)
    return facts


def callbacks_faulted(rig: Rig, seconds: float) -> dict[str, Any]:
    rig.sim("POST", "/faults", {"kind": "duplicate_callback", "count": None, "probability": 0.3})
    rig.sim("POST", "/faults", {"kind": "out_of_order", "count": None, "probability": 0.3})
    rig.run_load(seconds)
    rig.sim("DELETE", "/faults")
    return {}


def telephony_throttled(rig: Rig, seconds: float) -> dict[str, Any]:
    rig.sim("POST", "/faults", {"kind": "rest_429", "count": None, "probability": 0.6, "match": "/Calls"})
    rig.run_load(seconds / 2)
    rig.sim("DELETE", "/faults")
    rig.sim(
        "POST",
        "/faults",
        {"kind": "rest_5xx", "status": 503, "count": None, "probability": 0.6, "match": "/Calls"},
    )
    rig.run_load(seconds / 2)
    rig.sim("DELETE", "/faults")
    return {}


DRILLS: dict[str, Callable[[Rig, float], dict[str, Any]]] = {
    "worker_killed": lambda rig, _s: worker_killed(rig),
    "web_restarted": lambda rig, _s: web_restarted(rig),
    "redis_restarted": lambda rig, _s: redis_restarted(rig),
    "sockets_dropped": lambda rig, _s: sockets_dropped(rig),
    "volunteers_went_away": lambda rig, _s: volunteers_went_away_and_came_back(rig),
    "callbacks_duplicated_and_delayed": callbacks_faulted,
    "telephony_throttled": telephony_throttled,
}


def run_drill(rig: Rig, name: str, *, seconds: float) -> DrillResult:
    """Load for a while, the fault (some last `seconds`), load again, then settle and check."""
    return rig.drill(name, lambda: DRILLS[name](rig, seconds), before_s=seconds / 2, after_s=seconds)
