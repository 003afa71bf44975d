"""The rehearsal's referee: what happened, from the simulator's call log and the SQL record, judged by the rules.

Its facts come from sources the dialer does not keep: the simulator's event log (who was rung when,
who answered, who joined which conference, when each call ended), the TwiML the product answered
each voter with, the run's own record of how it was seeded, and SQL (calls, outcomes, the
suppression list). Calling hours are worked out here from the zone database, not by the product's
code; the retry rules are the campaign's (dialer/domain/retries.py), which are the specification.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlmodel import select

from dialer.domain.dispositions import Disposition, RetryRule
from dialer.domain.retries import campaign_rules
from dialer.models import CallAttempt, CallingSession, Campaign, Outcome, SuppressionEntry, Voter
from tests.rehearsal.crew import Posted
from tests.rehearsal.world import HORIZON, START, Rehearsal, Seeded

UK = ZoneInfo("Europe/London")
#: A voter due this close to the end of the run may still be waiting for a free volunteer.
END_SLACK = timedelta(minutes=10)
#: The phone bank opened before the run: a voter with nothing against them may be rung from the start.
OPENED = START - timedelta(days=1)


def in_calling_hours(at: datetime) -> bool:
    """UK defaults: 08:00-21:00 on weekdays, 09:00-21:00 at weekends, London time."""
    local = at.astimezone(UK)
    opens = time(8) if local.weekday() < 5 else time(9)
    return opens <= local.time() < time(21)


def next_opening(at: datetime) -> datetime:
    moment = at
    while not in_calling_hours(moment):
        moment = (moment.astimezone(UK) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return moment


@dataclass
class SimCall:
    """One call as the simulator logged it."""

    sid: str
    to: str
    created: datetime
    dialled: datetime | None = None
    answered: datetime | None = None
    ended: datetime | None = None
    status: str = ""
    joined: list[tuple[datetime, str]] = field(default_factory=list)  # (when, conference name)
    instructed: datetime | None = None  # when the product's TwiML for the answered call came back


@dataclass
class Verdict:
    violations: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    figures: Counter[str] = field(default_factory=Counter)
    final_states: Counter[str] = field(default_factory=Counter)

    def fail(self, rule: str, message: str) -> None:
        self.violations[rule].append(message)

    def broken(self, rule: str) -> list[str]:
        return self.violations.get(rule, [])[:10]


def sim_calls(run: Rehearsal) -> dict[str, SimCall]:
    calls: dict[str, SimCall] = {}
    for event in run.sim.events(limit=10_000_000):
        sid = event.call_sid
        if event.kind == "call-created" and sid:
            calls[sid] = SimCall(sid, str(event.data["to"]), event.at)
        elif sid in calls:
            call = calls[sid]
            if event.kind == "answered":
                call.answered = event.at
            elif event.kind == "joined":
                call.joined.append((event.at, str(event.data["friendly_name"])))
            elif event.kind == "webhook-result" and event.data.get("webhook") == "twiml":
                call.instructed = call.instructed or event.at
            elif event.kind == "ended":
                call.ended, call.status = event.at, str(event.data["status"])
    for sid, call in calls.items():
        record = run.sim.switch.records.calls[sid]
        call.dialled = record.start_time  # when it left the provider's queue and rang out
    return calls


def judge(run: Rehearsal) -> Verdict:
    verdict = Verdict()
    seeded = run.seeded
    voter_numbers = set(seeded.numbers.values())
    everything = sim_calls(run)
    calls = [call for call in everything.values() if call.to in voter_numbers]
    legs = [call for call in everything.values() if call.to not in voter_numbers]
    by_number: dict[str, list[SimCall]] = defaultdict(list)
    for call in sorted(calls, key=lambda c: c.created):
        by_number[call.to].append(call)

    with run.services.uow() as uow:
        session = uow.session
        campaign = session.get(Campaign, run.campaign_id)
        assert campaign is not None
        attempts = {a.provider_sid: a for a in session.exec(select(CallAttempt)).all() if a.provider_sid}
        outcomes = list(session.exec(select(Outcome)).all())
        voters = {v.id: v for v in session.exec(select(Voter)).all()}
        seats = {s.conference_name: s for s in session.exec(select(CallingSession)).all()}
        listed = {  # nobody is erased in the run, so every entry keeps its number
            e.phone_e164: e.created_at for e in session.exec(select(SuppressionEntry)).all() if e.phone_e164
        }
    rules = campaign_rules(campaign.retry_overrides)
    outcome_of_call = defaultdict(list)
    for outcome in outcomes:
        outcome_of_call[outcome.call_attempt_id].append(outcome)
    verdict.figures.update(
        voters=len(seeded.numbers),
        voter_calls=len(calls),
        volunteer_legs=len(legs),
        outcomes=len(outcomes),
        outcomes_by_volunteers=sum(1 for o in outcomes if o.user_id is not None),
    )
    for call in calls:
        verdict.figures[f"sim_status_{call.status}"] += 1

    _calling_hours(verdict, calls, legs)
    _one_call_at_a_time(verdict, by_number)
    abandoned = _seats_or_information_message(verdict, run, calls, legs, seats, attempts)
    _suppressed_tps_and_blocked(verdict, run, by_number, listed, abandoned)
    _outcomes_in_sql(verdict, run.crew.posted, calls, attempts, outcome_of_call, outcomes)
    _final_states(
        verdict, run, by_number, attempts, outcome_of_call, voters, rules, campaign.max_attempts, listed
    )
    return verdict


def _calling_hours(verdict: Verdict, calls: list[SimCall], legs: list[SimCall]) -> None:
    for call in calls:
        for moment, what in ((call.created, "requested"), (call.dialled, "dialled")):
            if moment is not None and not in_calling_hours(moment):
                verdict.fail("hours", f"{call.to} {what} at {moment.astimezone(UK):%a %H:%M:%S}")
    # The boundary was really crossed: volunteers sat ready outside hours while voters waited.
    for leg in legs:
        if leg.answered and leg.ended:
            moment = leg.answered
            while moment < leg.ended:
                if not in_calling_hours(moment):
                    verdict.figures["volunteer_minutes_outside_hours"] += 1
                moment += timedelta(minutes=1)
    verdict.figures["calls_before_first_close"] = sum(
        1 for c in calls if c.created < START + timedelta(hours=1)
    )
    verdict.figures["calls_after_first_close"] = sum(
        1 for c in calls if c.created >= START + timedelta(hours=1)
    )


def _one_call_at_a_time(verdict: Verdict, by_number: dict[str, list[SimCall]]) -> None:
    for number, calls in by_number.items():
        for earlier, later in pairwise(calls):
            if earlier.ended is None or later.created < earlier.ended:
                verdict.fail("overlap", f"{number}: {later.sid} began before {earlier.sid} ended")
        if any(call.ended is None for call in calls):
            verdict.fail("overlap", f"{number}: a call never ended")


def _seats_or_information_message(
    verdict: Verdict,
    run: Rehearsal,
    calls: list[SimCall],
    legs: list[SimCall],
    seats: dict[str, CallingSession],
    attempts: dict[str, CallAttempt],
) -> dict[str, datetime]:
    """Every answered voter joined exactly one seat with its volunteer there, or heard the
    information message and was let go (abandoned); returns the abandoned numbers and when."""
    volunteers_in: dict[str, list[SimCall]] = defaultdict(list)
    for leg in legs:
        for _, name in leg.joined:
            volunteers_in[name].append(leg)
    information = run.campaign_information_message()
    abandoned: dict[str, datetime] = {}
    for call in calls:
        if call.answered is None:
            if call.joined:
                verdict.fail("seat", f"{call.sid} joined a conference without being answered")
            continue
        verdict.figures["answered"] += 1
        attempt = attempts.get(call.sid)
        if len(call.joined) == 1:
            when, name = call.joined[0]
            if name not in seats:
                verdict.fail("seat", f"{call.sid} joined {name}, which is no volunteer's seat")
            elif not any(
                leg.joined
                and leg.joined[0][1] == name
                and leg.joined[0][0] <= when
                and (leg.ended or when) >= when
                for leg in volunteers_in[name]
            ):
                verdict.fail("seat", f"{call.sid} joined {name} with no volunteer in it")
            if attempt is not None and attempt.abandoned:
                verdict.fail("seat", f"{call.sid} joined a seat but is recorded as abandoned")
            verdict.figures["joined_a_seat"] += 1
            continue
        if call.joined:
            verdict.fail("seat", f"{call.sid} joined {len(call.joined)} conferences")
            continue
        answers = run.heard_answers.answers.get(call.sid, [])
        if not answers or not all("<Say" in body and "<Conference" not in body for body in answers):
            verdict.fail("seat", f"{call.sid} was answered but neither joined a seat nor heard the message")
        elif not any(information.split(".")[0][:30] in body.replace("&#39;", "'") for body in answers):
            verdict.fail("seat", f"{call.sid} heard something other than the information message")
        if attempt is None or not attempt.abandoned:
            verdict.fail("seat", f"{call.sid} heard the information message but is not recorded as abandoned")
        if call.instructed is None or call.instructed - call.answered > timedelta(seconds=2):
            verdict.fail("seat", f"{call.sid}: the information message did not start within 2 s of answer")
        abandoned[call.to] = call.answered
        verdict.figures["abandoned"] += 1
    return abandoned


def _suppressed_tps_and_blocked(
    verdict: Verdict,
    run: Rehearsal,
    by_number: dict[str, list[SimCall]],
    listed: dict[str, datetime | None],
    abandoned: dict[str, datetime],
) -> None:
    seeded = run.seeded
    for number in seeded.suppressed | seeded.tps:
        for call in by_number.get(number, []):
            verdict.fail("suppressed", f"{number} (suppressed or TPS before the run) rung at {call.created}")
    for number, since in {**listed, **seeded.suppressed_later}.items():
        for call in by_number.get(number, []):
            if since is not None and call.created >= since:
                verdict.fail("suppressed", f"{number} rung at {call.created}, on the list since {since}")
    for number, until in seeded.blocked_until.items():
        calls = by_number.get(number, [])
        verdict.figures["calls_after_a_seeded_block"] += len(calls)
        for call in calls:
            if call.created < until:
                verdict.fail("blocked", f"{number} rung at {call.created}, blocked until {until}")
    for number, at in abandoned.items():
        for call in by_number.get(number, []):
            if at < call.created < at + timedelta(hours=72):
                verdict.fail("blocked", f"{number} rung at {call.created}, within 72 h of abandoning at {at}")
    verdict.figures["numbers_suppressed_or_tps_at_start"] = len(seeded.suppressed | seeded.tps)
    verdict.figures["numbers_suppressed_during_run"] = len(seeded.suppressed_later)
    verdict.figures["numbers_listed_by_outcomes"] = len(
        set(listed) - seeded.suppressed - set(seeded.suppressed_later)
    )


def _outcomes_in_sql(
    verdict: Verdict,
    posted: list[Posted],
    calls: list[SimCall],
    attempts: dict[str, CallAttempt],
    outcome_of_call: dict[int | None, list[Outcome]],
    outcomes: list[Outcome],
) -> None:
    stored = {o.id: o for o in outcomes}
    for item in posted:
        outcome = stored.get(item.outcome_id)
        if outcome is None:
            verdict.fail("sql", f"outcome {item.outcome_id} (call {item.call_id}) is not in SQL")
        elif (outcome.call_attempt_id, outcome.disposition.value, outcome.user_id) != (
            item.call_id,
            item.disposition,
            item.user_id,
        ):
            verdict.fail("sql", f"outcome {item.outcome_id} in SQL differs from what was posted")
    verdict.figures["outcomes_posted"] = len(posted)
    expected = {"busy": "busy", "failed": "wrong_number", "no-answer": "no_answer", "canceled": "no_answer"}
    for call in calls:
        attempt = attempts.get(call.sid)
        if attempt is None:
            verdict.fail("sql", f"{call.sid} to {call.to} has no call in SQL")
            continue
        found = outcome_of_call.get(attempt.id, [])
        if len(found) != 1:
            verdict.fail("sql", f"{call.sid} has {len(found)} outcomes in SQL")
            continue
        outcome = found[0]
        if call.joined and outcome.user_id is None:
            verdict.fail("sql", f"{call.sid} reached a volunteer but its outcome is the system's")
        if not call.joined and outcome.user_id is not None:
            verdict.fail("sql", f"{call.sid} reached nobody but a volunteer recorded it")
        if not call.answered and outcome.disposition.value != expected.get(call.status):
            verdict.fail("sql", f"{call.sid} ended {call.status} but is recorded {outcome.disposition.value}")
        if call.answered and not call.joined and outcome.disposition is not Disposition.ABANDONED:
            verdict.fail("sql", f"{call.sid} was abandoned but is recorded {outcome.disposition.value}")
        verdict.figures[f"disposition_{outcome.disposition.value}"] += 1


def _final_states(
    verdict: Verdict,
    run: Rehearsal,
    by_number: dict[str, list[SimCall]],
    attempts: dict[str, CallAttempt],
    outcome_of_call: dict[int | None, list[Outcome]],
    voters: dict[int | None, Voter],
    rules: dict[Disposition, RetryRule],
    max_attempts: int,
    listed: dict[str, datetime | None],
) -> None:
    seeded = run.seeded
    for voter_id, number in seeded.numbers.items():
        voter = voters[voter_id]
        calls = by_number.get(number, [])
        history = []  # (call, its outcome) in order
        for call in calls:
            attempt = attempts.get(call.sid)
            found = outcome_of_call.get(attempt.id if attempt else None, [])
            if found:
                history.append((call, found[0]))
        if len(history) != len(calls):
            continue  # reported by the SQL check
        earliest = seeded.blocked_until.get(number, OPENED)
        for index, (call, _) in enumerate(history):
            if call.created < earliest:
                verdict.fail(
                    "retries", f"{number} dial {index + 1} at {call.created}, not allowed before {earliest}"
                )
            if index > 0:
                previous = history[index - 1][1].disposition
                if index >= max_attempts and previous is not Disposition.CALL_BACK:
                    verdict.fail("retries", f"{number} dialled {index + 1} times (max {max_attempts})")
            earliest = _next_allowed(history[index][1], rules) or HORIZON + timedelta(days=365)
            if number in seeded.blocked_until:
                earliest = max(earliest, seeded.blocked_until[number])
        state = _final_state(number, history, earliest, seeded, listed, max_attempts, rules)
        verdict.final_states[state] += 1
        if state.startswith("left behind"):
            verdict.fail("final", f"{number} ({voter.first_name}): {state}")
        elif state in ("finished", "exhausted", "suppressed") and not (voter.done or voter.do_not_call):
            verdict.fail("final", f"{number} is {state} but the dialer would still call them")
        elif state == "waiting beyond the run" and voter.done:
            verdict.fail("final", f"{number} may be called again but the dialer has given up on them")


def _next_allowed(outcome: Outcome, rules: dict[Disposition, RetryRule]) -> datetime | None:
    if outcome.disposition is Disposition.CALL_BACK:
        return outcome.call_back_at
    retry_after = rules[outcome.disposition].retry_after
    if retry_after is None or outcome.created_at is None:
        return None
    return outcome.created_at + retry_after


def _final_state(
    number: str,
    history: list[tuple[SimCall, Outcome]],
    earliest: datetime,
    seeded: Seeded,
    listed: dict[str, datetime | None],
    max_attempts: int,
    rules: dict[Disposition, RetryRule],
) -> str:
    if number in seeded.tps:
        return "tps"
    if number in seeded.suppressed or number in listed:
        return "suppressed"
    if history:
        last = history[-1][1]
        if rules[last.disposition].retry_after is None and last.disposition is not Disposition.CALL_BACK:
            return "finished"
        if len(history) >= max_attempts and last.disposition is not Disposition.CALL_BACK:
            return "exhausted"
    if next_opening(earliest) >= HORIZON - END_SLACK:
        return "waiting beyond the run"
    return f"left behind: callable from {next_opening(earliest).astimezone(UK):%a %H:%M} but not rung again"
