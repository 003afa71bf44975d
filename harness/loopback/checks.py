"""What must hold after every drill: nothing lost, nobody called twice at once, nothing stuck.

- No lost outcome: every outcome a volunteer's client got a 2xx for is in SQL, for that call.
- No voter in two calls: in the simulator's own call log, no number has two calls that overlap.
- No seat stuck: once calls have finished and outcomes are in, every live seat is ready or paused,
  and the Redis seat board says the same as SQL.
- No call without a final status, after the reconciler has asked the provider about the silent ones.
- The dashboards' totals equal a recount from SQL.
- Every conversation has a record: each call put through to a volunteer has an outcome (the
  volunteer's, or "outcome missing" when they went away and did not come back in time).

`settle` brings the phone bank to rest first (paused, calls over, outcomes recorded, silent calls
reconciled) so the checks have one answer.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlmodel import col, select

from dialer.domain.calls import FINAL_STATUSES
from dialer.domain.dispositions import Disposition
from dialer.domain.seats import LIVE_SEAT_STATES, SeatState
from dialer.models import CallAttempt, CallingSession, Outcome
from dialer.services.calling import dashboard, seat_holding, upkeep
from dialer.services.phone_bank import PhoneBank

#: Seat states a settled phone bank may show: nobody is on a call or owes an outcome.
AT_REST = frozenset({SeatState.READY, SeatState.PAUSED})
BUSY_SEATS = frozenset({SeatState.DIALING, SeatState.CONNECTED, SeatState.WRAP_UP})


@dataclass(frozen=True)
class Verdict:
    check: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.check}" + (f": {self.detail}" if self.detail else "")


class Later:
    """The deployment's clock moved on by `ahead`: the reconciler sees the silent calls as stale, as
    it would after waiting for them (a check cannot wait 90 s)."""

    def __init__(self, clock: Any, ahead: timedelta) -> None:
        self._clock = clock
        self._ahead = ahead
        self.speed = 1.0

    def now(self) -> datetime:
        return self._clock.now() + self._ahead  # type: ignore[no-any-return]

    def monotonic(self) -> float:
        return self._clock.monotonic() + self._ahead.total_seconds()  # type: ignore[no-any-return]


def wait_until(condition: Callable[[], bool], timeout_s: float, every_s: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(every_s)
    return True


def busy(bank: PhoneBank, campaign_id: int) -> tuple[int, int]:
    """Calls not yet over, and seats on a call or owing an outcome."""
    with bank.uow() as uow:
        calls = uow.session.exec(
            select(CallAttempt.id).where(
                CallAttempt.campaign_id == campaign_id, col(CallAttempt.status).not_in(FINAL_STATUSES)
            )
        ).all()
        seats = uow.session.exec(
            select(CallingSession.id).where(
                CallingSession.campaign_id == campaign_id, col(CallingSession.state).in_(BUSY_SEATS)
            )
        ).all()
    return len(calls), len(seats)


def settle(bank: PhoneBank, campaign_id: int, *, calls_end_within_s: float) -> dict[str, int]:
    """Let every call finish and every outcome be recorded; reconcile what stays silent. The caller
    has paused the campaign (no new dials)."""
    wait_until(lambda: busy(bank, campaign_id) == (0, 0), calls_end_within_s)
    # What the heartbeat would do once the silent calls are stale and the seats' last moves old.
    later = dataclasses.replace(bank, clock=Later(bank.clock, upkeep.STALE_AFTER + upkeep.UNPLACED_AFTER))
    result = upkeep.reconcile_calls(later)
    reconciled = result.changed + result.abandoned_unplaced
    # Past every seat's grace period: volunteers who went away and never came back.
    not_back = len(seat_holding.end_seats_not_back(later))
    repaired = upkeep.repair_seats(later)
    if reconciled or repaired or not_back:
        wait_until(lambda: busy(bank, campaign_id) == (0, 0), 30)
    calls, seats = busy(bank, campaign_id)
    return {
        "reconciled": reconciled,
        "repaired": repaired,
        "not_back": not_back,
        "calls_live": calls,
        "seats_busy": seats,
    }


# --- the checks -----------------------------------------------------------------------------------


def no_lost_outcome(bank: PhoneBank, acknowledged: dict[int, int]) -> Verdict:
    """Every (call -> outcome id) a client was told was saved is in SQL."""
    with bank.uow() as uow:
        stored = {
            call: outcome
            for outcome, call in uow.session.exec(select(Outcome.id, Outcome.call_attempt_id)).all()
            if outcome is not None and call is not None
        }
    lost = {call: outcome for call, outcome in acknowledged.items() if stored.get(call) != outcome}
    return Verdict(
        "no lost outcome",
        not lost,
        f"{len(acknowledged)} acknowledged"
        + (f"; missing from SQL: {sorted(lost.items())[:10]}" if lost else ""),
    )


def every_conversation_recorded(bank: PhoneBank, campaign_id: int) -> Verdict:
    """Every call put through to a volunteer has an outcome: none is silently lost."""
    with bank.uow() as uow:
        talked = uow.session.exec(
            select(CallAttempt.id, Outcome.disposition)
            .outerjoin(Outcome, col(Outcome.call_attempt_id) == CallAttempt.id)
            .where(CallAttempt.campaign_id == campaign_id, col(CallAttempt.connected_at).is_not(None))
        ).all()
    missing = [call for call, disposition in talked if disposition is None]
    kept_for_follow_up = sum(1 for _, disposition in talked if disposition is Disposition.OUTCOME_MISSING)
    return Verdict(
        "every conversation has a record",
        not missing,
        f"{len(talked)} conversations, {kept_for_follow_up} outcome missing (to follow up)"
        + (f"; without any record: {missing[:10]}" if missing else ""),
    )


def no_voter_in_two_calls(simulator_url: str, auth: tuple[str, str], voter_phones: set[str]) -> Verdict:
    """From the simulator's call log: no voter's number is in two calls at the same time."""
    created = _events(simulator_url, auth, "call-created")
    ended = {event["call_sid"]: event["at"] for event in _events(simulator_url, auth, "ended")}
    by_number: dict[str, list[tuple[str, str]]] = {}
    for event in created:
        if event.get("to") in voter_phones:
            by_number.setdefault(event["to"], []).append((event["at"], ended.get(event["call_sid"], "~")))
    overlaps = []
    for number, spans in by_number.items():
        spans.sort()
        latest_end = ""
        for start, end in spans:
            if latest_end and start < latest_end:
                overlaps.append(number)
            latest_end = max(latest_end, end)
    calls = sum(len(spans) for spans in by_number.values())
    return Verdict(
        "no voter in two calls",
        not overlaps,
        f"{calls} calls to {len(by_number)} voters" + (f"; overlapping: {overlaps[:10]}" if overlaps else ""),
    )


def no_seat_stuck(bank: PhoneBank, campaign_id: int) -> Verdict:
    """Every live seat is at rest, and the Redis seat board agrees with SQL."""
    with bank.uow() as uow:
        seats = uow.session.exec(
            select(CallingSession).where(
                CallingSession.campaign_id == campaign_id, col(CallingSession.state).in_(LIVE_SEAT_STATES)
            )
        ).all()
    stuck = [f"{seat.id}:{seat.state.value}" for seat in seats if seat.state not in AT_REST]
    disagree = []
    boards = bank.seats.get_many([seat.id or 0 for seat in seats])
    for seat in seats:
        board = boards[seat.id or 0]
        if board is None or board.state is not seat.state:
            disagree.append(
                f"{seat.id}: SQL {seat.state.value}, Redis {board.state.value if board else 'none'}"
            )
    detail = f"{len(seats)} live seats"
    if stuck:
        detail += f"; not at rest: {stuck[:10]}"
    if disagree:
        detail += f"; board differs: {disagree[:10]}"
    return Verdict("no seat stuck", not stuck and not disagree, detail)


def every_call_final(bank: PhoneBank, campaign_id: int) -> Verdict:
    with bank.uow() as uow:
        open_calls = uow.session.exec(
            select(CallAttempt.id, CallAttempt.status).where(
                CallAttempt.campaign_id == campaign_id, col(CallAttempt.status).not_in(FINAL_STATUSES)
            )
        ).all()
        total = len(
            uow.session.exec(select(CallAttempt.id).where(CallAttempt.campaign_id == campaign_id)).all()
        )
    return Verdict(
        "every call has a final status",
        not open_calls,
        f"{total} calls"
        + (f"; still open: {[(i, str(s)) for i, s in open_calls[:10]]}" if open_calls else ""),
    )


def dashboards_match_recount(bank: PhoneBank, campaign_id: int, boards: list[dict[str, Any]]) -> Verdict:
    with bank.uow() as uow:
        recount = dashboard.recount(uow.session, campaign_id)
    wrong = []
    for index, board in enumerate(boards):
        shown = {name: value for name, value in board["figures"].items() if value}
        if shown != recount:
            differ = sorted(
                (name, shown.get(name, 0), recount.get(name, 0))
                for name in set(shown) | set(recount)
                if shown.get(name, 0) != recount.get(name, 0)
            )
            wrong.append(f"dashboard {index}: (figure, shown, recount) {differ[:6]}")
    return Verdict(
        "dashboard totals equal a recount from SQL",
        bool(boards) and not wrong,
        f"{len(boards)} dashboards, {recount.get('all|outcomes', 0)} outcomes"
        + (f"; {'; '.join(wrong[:3])}" if wrong else ""),
    )


def _events(simulator_url: str, auth: tuple[str, str], kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    since = 0
    while True:
        page = requests.get(
            f"{simulator_url}/_sim/events",
            params={"kind": kind, "since": str(since), "limit": "10000"},
            auth=auth,
            timeout=60,
        ).json()
        found += page["events"]
        if not page["events"]:
            return found
        since = page["next"]
