"""A campaign's live figures: what is counted, under which names, and the rates read from them.

Each thing that happens on a call (a dial, an answer, a voter put through, an abandoned call, an
outcome, a sign-up) is a `Fact`. A fact adds 1 to a few metrics in several scopes: the whole
campaign, the voter's seat (constituency), the volunteer, and the hour it happened in (for the
calls-per-hour chart and the rolling 24-hour abandon rate). Figures are a flat mapping from
`scope|metric` to a count, so the live counter (Redis), the recount from SQL and the dashboard's
deltas all speak the same language: the recount builds the same facts from the durable record and
adds them up with the same `increments`, which is what makes "the totals equal a recount" checkable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

#: Ofcom's ceiling: abandoned calls may not exceed 3% of live calls per campaign over 24 hours.
ABANDON_LIMIT_PCT = 3.0

ALL = "all"
#: A voter whose constituency is not known (and whose campaign targets more than one seat).
UNKNOWN_SEAT = "-"

DIALS = "dials"
ANSWERED = "answered"  # somebody (or a machine) picked up
CONNECTS = "connects"  # put through to a volunteer
ABANDONED = "abandoned"  # picked up with no volunteer free: the information message played
CONVERSATIONS = "conversations"  # outcomes a volunteer recorded as "talked"
OUTCOMES = "outcomes"
SIGNUP_KINDS = ("event", "carpool", "pledge")

#: Metrics counted in every scope (campaign, seat, volunteer, hour).
CORE = (
    DIALS,
    ANSWERED,
    CONNECTS,
    ABANDONED,
    CONVERSATIONS,
    OUTCOMES,
    *(f"signups_{kind}" for kind in SIGNUP_KINDS),
)


def seat_scope(ons_code: str | None) -> str:
    return f"seat:{ons_code or UNKNOWN_SEAT}"


def volunteer_scope(user_id: int) -> str:
    return f"vol:{user_id}"


def hour_scope(at: datetime) -> str:
    """The UTC hour a fact belongs to, e.g. hour:2026-11-26T18."""
    return "hour:" + at.astimezone(UTC).strftime("%Y-%m-%dT%H")


def key(scope: str, metric: str) -> str:
    return f"{scope}|{metric}"


def disposition_metric(disposition: str) -> str:
    return f"disp:{disposition}"


def answer_metric(question_id: int, value: str) -> str:
    return f"ans:{question_id}:{value}"


#: The metric counting every answer to a question (free-text answers are counted, not shown).
def answered_metric(question_id: int) -> str:
    return f"ans:{question_id}:*"


@dataclass(frozen=True)
class Fact:
    """One thing that happened, counted once (`name` is unique per campaign: e.g. "dial:17").

    `metrics` go to every scope; `detail` (dispositions, survey answers) goes to the campaign and
    seat scopes only.
    """

    name: str
    at: datetime
    seat: str | None
    volunteer: int | None
    metrics: tuple[str, ...] = ()
    detail: tuple[str, ...] = ()
    #: Exact changes besides, e.g. a dial moving from one volunteer's figures to another's.
    adjust: tuple[tuple[str, int], ...] = ()

    def increments(self) -> dict[str, int]:
        scopes = [ALL, seat_scope(self.seat), hour_scope(self.at)]
        if self.volunteer is not None:
            scopes.append(volunteer_scope(self.volunteer))
        counts: Counter[str] = Counter()
        for metric in self.metrics:
            for scope in scopes:
                counts[key(scope, metric)] += 1
        for metric in self.detail:
            for scope in scopes[:2]:
                counts[key(scope, metric)] += 1
        for name, change in self.adjust:
            counts[name] += change
        return dict(counts)


def dialled(call_id: int, at: datetime, seat: str | None, volunteer: int | None = None) -> Fact:
    """A call the provider took, for the volunteer whose seat it was placed for (if any)."""
    return Fact(f"dial:{call_id}", at, seat, volunteer, (DIALS,))


def dial_moved(call_id: int, at: datetime, before: int, after: int) -> Fact:
    """A voter who answered was put through to another volunteer than the one the call was placed
    for (power mode, when that seat had gone): the dial is theirs now, as the record says."""
    return Fact(
        f"moved:{call_id}",
        at,
        None,
        None,
        adjust=((key(volunteer_scope(before), DIALS), -1), (key(volunteer_scope(after), DIALS), 1)),
    )


def answered(call_id: int, at: datetime, seat: str | None) -> Fact:
    return Fact(f"answer:{call_id}", at, seat, None, (ANSWERED,))


def connected(call_id: int, at: datetime, seat: str | None, volunteer: int | None) -> Fact:
    return Fact(f"connect:{call_id}", at, seat, volunteer, (CONNECTS,))


def abandoned(call_id: int, at: datetime, seat: str | None) -> Fact:
    return Fact(f"abandon:{call_id}", at, seat, None, (ABANDONED,))


def recorded(
    outcome_id: int,
    at: datetime,
    seat: str | None,
    volunteer: int | None,
    disposition: str,
    answers: Iterable[tuple[int, object]] = (),
    *,
    free_text: Collection[int] = (),
) -> Fact:
    """An outcome: the volunteer's record of a conversation, or the dialer's of a call nobody took."""
    metrics = (OUTCOMES, CONVERSATIONS) if disposition == "talked" else (OUTCOMES,)
    detail = outcome_detail(disposition, answers, free_text=free_text)
    return Fact(f"outcome:{outcome_id}", at, seat, volunteer, metrics, detail)


def signed_up(kind: str, row_id: int, at: datetime, seat: str | None, volunteer: int | None) -> Fact:
    """A voter signed up for an event, a carpool seat or a pledge in a conversation."""
    return Fact(f"signup:{kind}:{row_id}", at, seat, volunteer, (f"signups_{kind}",))


def outcome_detail(
    disposition: str, answers: Iterable[tuple[int, object]], *, free_text: Collection[int] = ()
) -> tuple[str, ...]:
    """The disposition and survey-answer metrics of one outcome (answers as stored: an option, a
    list of options, or typed text; typed answers are counted but their words are not tallied)."""
    detail = [disposition_metric(disposition)]
    for question_id, value in answers:
        detail.append(answered_metric(question_id))
        if question_id in free_text:
            continue
        if isinstance(value, list):
            detail.extend(answer_metric(question_id, str(item)) for item in value)
        elif value is not None and value != "":
            detail.append(answer_metric(question_id, str(value)))
    return tuple(detail)


def add_up(facts: Iterable[Fact]) -> dict[str, int]:
    """The figures these facts make (the recount's sum)."""
    total: Counter[str] = Counter()
    for fact in facts:
        total.update(fact.increments())
    return dict(total)


@dataclass(frozen=True)
class Rates:
    answer_rate_pct: float | None
    abandon_rate_pct: float | None  # over the last 24 hours
    abandon_over_limit: bool
    live_calls_24h: int = 0
    abandoned_24h: int = 0


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def rates(figures: Mapping[str, int], *, now: datetime, scope: str = ALL) -> Rates:
    """Answer rate (answered / dials) and the rolling 24-hour abandon rate (abandoned / live calls,
    a live call being one a person answered: put through to a volunteer, or abandoned).

    The 24 hours are read from hourly buckets, so the window is this hour and the 23 before it.
    """
    abandoned = live = 0
    for hour in last_hours(now, 24):
        abandoned += figures.get(key(hour, ABANDONED), 0)
        live += figures.get(key(hour, CONNECTS), 0) + figures.get(key(hour, ABANDONED), 0)
    abandon = pct(abandoned, live)
    return Rates(
        answer_rate_pct=pct(figures.get(key(scope, ANSWERED), 0), figures.get(key(scope, DIALS), 0)),
        abandon_rate_pct=abandon,
        abandon_over_limit=abandon is not None and abandon > ABANDON_LIMIT_PCT,
        live_calls_24h=live,
        abandoned_24h=abandoned,
    )


def last_hours(now: datetime, count: int) -> list[str]:
    """The hour scopes of the `count` hours up to and including now's, oldest first."""
    return [hour_scope(now - timedelta(hours=back)) for back in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class Pool:
    """The campaign's voters by whether they can be rung: a list running dry shows here first."""

    callable_now: int = 0
    later: int = 0  # a retry or call-back not yet due, or blocked after an abandoned call
    in_call: int = 0
    exhausted: int = 0  # no further calls: talked, refused, max attempts, do not call, TPS...
    coming_due_1h: int = 0  # of `later`, those due within the hour
    by_reason: dict[str, int] = field(default_factory=dict)  # why `exhausted`

    @property
    def total(self) -> int:
        return self.callable_now + self.later + self.in_call + self.exhausted

    def minutes_left(self, dials_last_hour: int) -> int | None:
        """At the last hour's pace, how long the voters callable now (and coming due) last."""
        if dials_last_hour <= 0:
            return None
        return int(60 * (self.callable_now + self.coming_due_1h) / dials_last_hour)
