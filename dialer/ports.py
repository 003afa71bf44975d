"""The ports: what use cases need from the outside world, as Protocols adapters implement."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from sqlmodel import Session

from dialer.clock import Clock
from dialer.domain.call_control import CallInstruction
from dialer.domain.seats import SeatState

__all__ = [
    "CallQueue",
    "CallRate",
    "Clock",
    "JobQueue",
    "LiveUpdates",
    "Probe",
    "ProbeResult",
    "SeatBoard",
    "Tally",
    "Telephony",
    "UnitOfWork",
]


class UnitOfWork(Protocol):
    """One transaction over the durable record; nothing is kept unless commit() is called."""

    @property
    def session(self) -> Session: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class JobQueue(Protocol):
    """Background work, named by the dotted path of a job function that takes ids."""

    def enqueue(
        self, job: str, *args: Any, at: datetime | None = None, job_id: str | None = None
    ) -> None: ...


class LiveUpdates(Protocol):
    """Pushes an event to everyone watching a room (a campaign, a seat, a volunteer)."""

    def publish(self, room: str, event: str, payload: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    detail: str


#: A named health check of one component (database, Redis, workers, telephony).
Probe = Callable[[], ProbeResult]


# --- telephony ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboundCall:
    """A call to place: to a voter, or to a volunteer's own phone ("call my phone")."""

    to: str
    caller_id: str
    answer_url: str
    status_url: str
    ring_timeout_s: int
    #: Answering-machine detection, asynchronous: `answer_url` is called at the answer as without
    #: detection, and what answered (person or machine, decided within this many seconds) is posted
    #: to `machine_result_url` later. None: no detection.
    machine_detection_s: int | None = None
    machine_result_url: str | None = None


@dataclass(frozen=True)
class ProviderCall:
    """A call as the provider reports it when asked (the reconciler's view)."""

    sid: str
    status: str
    answered_by: str | None = None
    duration_s: int | None = None


@dataclass(frozen=True)
class OutboundText:
    """A text message to send from one of the account's numbers, its delivery reported to `status_url`."""

    to: str
    from_: str
    body: str
    status_url: str


class Telephony(Protocol):
    """The telephony provider (Twilio or the simulator). Failures raise dialer.errors.TelephonyError."""

    def place_call(self, call: OutboundCall) -> str:
        """Place the call and return the provider's id for it (a CallSid)."""
        ...

    def hang_up(self, sid: str) -> None: ...

    def redirect(self, sid: str, instruction: CallInstruction) -> None:
        """Replace what a live call is doing (e.g. take a voter out of a seat that is ending)."""
        ...

    def hold(self, conference_sid: str, call_sid: str, *, on: bool, hold_url: str | None = None) -> None:
        """Put a conference participant on hold (hearing `hold_url`'s TwiML) or take them off it."""
        ...

    def fetch_call(self, sid: str) -> ProviderCall: ...

    def extend(self, sid: str, time_limit_s: int) -> None:
        """Let a live call last `time_limit_s` seconds in all (Twilio's TimeLimit on an update);
        the provider ends calls at their limit, four hours unless told otherwise."""
        ...

    def softphone_token(self, identity: str) -> str:
        """A short-lived token the volunteer's browser softphone uses to join its seat."""
        ...

    def may_call_from(self, number: str) -> bool:
        """True when calls may show `number` (E.164): one of the account's own numbers, or a number
        it has verified as an outgoing caller ID (any other is refused, Twilio's 21210)."""
        ...

    def route_incoming(self, number: str, voice_url: str) -> bool:
        """Send calls to `number` (one of the account's own numbers) to `voice_url`; False when the
        account does not own it (a verified caller ID rings elsewhere: nothing to route)."""
        ...

    def send_text(self, text: OutboundText) -> str:
        """Send a text message and return the provider's id for it (a MessageSid)."""
        ...

    def route_texts(self, number: str, sms_url: str) -> bool:
        """Send texts to `number` (one of the account's own numbers) to `sms_url`; False when the
        account does not own it."""
        ...


# --- the dialer's shared state in Redis (rebuilt from SQL at any time) ------------------------------


@dataclass(frozen=True)
class QueuedVoter:
    """A voter waiting in a campaign's call queue, due from `due` (call-backs go first)."""

    voter_id: int
    phone: str
    due: datetime
    call_back: bool = False


@dataclass(frozen=True)
class Claimed:
    """A voter taken off the queue for one seat; their number is held until released."""

    voter_id: int
    phone: str
    token: str


@dataclass(frozen=True)
class QueueSnapshot:
    """Everything the queues hold, as SQL says it should be (see services.rebuild)."""

    queued: dict[int, list[QueuedVoter]]  # by campaign
    suppressed: set[str]
    in_calls: dict[str, str]  # phone -> the token holding it
    dialled_today: dict[str, int]  # phone -> the campaign that dialled it today
    day: str


class CallQueue(Protocol):
    """Per-campaign queues of voters to call, claimed atomically.

    A claim never returns a voter whose number is already in a call, is suppressed, or was dialled
    today by another campaign; concurrent claims never return the same voter or number twice.
    """

    def add(self, campaign_id: int, voter: QueuedVoter) -> None: ...

    def remove(self, campaign_id: int, voter_id: int) -> None: ...

    def claim(self, campaign_id: int, *, now: datetime, day: str, next_day: datetime) -> Claimed | None: ...

    def release(self, phone: str, token: str) -> None:
        """The number's call (or preview) is over: other seats and campaigns may claim it again."""
        ...

    def mark_dialled(self, phone: str, campaign_id: int, *, day: str) -> bool:
        """Record that `campaign_id` dials `phone` today; False if another campaign already did."""
        ...

    def suppress(self, phone: str) -> None: ...

    def forget(self, phones: Collection[str], voters: Collection[tuple[int, int]]) -> None:
        """Erasure: these numbers and these (campaign id, voter id)s leave every queue, hold, day's
        list of dialled numbers and the do-not-call set (SQL keeps what an opt-out needs)."""
        ...

    def waiting(self, campaign_id: int) -> int: ...

    def next_due(self, campaign_id: int) -> datetime | None: ...

    def load(self, campaign_id: int, voters: list[QueuedVoter]) -> None:
        """Replace one campaign's queue (when it opens, or after an import); other campaigns are untouched."""
        ...

    def rebuild(self, snapshot: QueueSnapshot) -> None:
        """Replace everything with `snapshot` and remember that the queues are built."""
        ...

    def is_built(self) -> bool:
        """False after Redis lost its data (restart without persistence, flush): time to rebuild."""
        ...


@dataclass(frozen=True)
class Seat:
    """A volunteer's seat as the board holds it."""

    session_id: int
    campaign_id: int
    user_id: int
    state: SeatState
    conference: str
    call_id: int | None = None
    #: When the seat last moved on the board (read back; writing takes `since` apart).
    since: datetime | None = field(default=None, compare=False)


class SeatBoard(Protocol):
    """Seat states and each campaign's idle seats, changed atomically (compare-and-set)."""

    def put(self, seat: Seat, *, since: datetime) -> None: ...

    def get(self, session_id: int) -> Seat | None: ...

    def get_many(self, session_ids: Sequence[int]) -> dict[int, Seat | None]:
        """Several seats in one round trip (None for a seat the board does not hold)."""
        ...

    def move(
        self,
        session_id: int,
        allowed_from: frozenset[SeatState],
        to: SeatState,
        *,
        now: datetime,
        call_id: int | None = None,
        busy_with: int | None = None,
    ) -> Seat | None:
        """Move the seat to `to` if it is in one of `allowed_from`; None (and no change) otherwise.

        `call_id` is the call the seat is now busy with (kept when moving between busy states,
        cleared when the seat goes ready, paused or ended). With `busy_with`, the move happens only
        if the seat is still busy with that call, so a late event about an earlier call moves nothing.
        """
        ...

    def reserve_idle(self, campaign_id: int, *, now: datetime) -> Seat | None:
        """Take the campaign's longest-idle seat for a dial (power mode's reservation): the domain's
        `DIAL` move, from its states."""
        ...

    def attach_call(self, session_id: int, call_id: int) -> None: ...

    def claim_for_answer(
        self,
        campaign_id: int,
        call_id: int,
        reserved_session: int | None,
        *,
        now: datetime,
        any_idle_seat: bool,
    ) -> Seat | None:
        """The seat an answered call joins: its reserved seat if still waiting for it (the domain's
        `ANSWERED` move), else (when `any_idle_seat`) the longest-idle seat (`TAKEN_BY_ANSWER`);
        None when there is none."""
        ...

    def idle_seats(self, campaign_id: int) -> int: ...

    def campaigns_with_idle_seats(self) -> list[int]: ...

    def rebuild(self, seats: list[tuple[Seat, datetime]]) -> None: ...


class CallRate(Protocol):
    """The account's calls-per-second budget (a token bucket shared by every worker)."""

    def take(self, *, now: datetime) -> float:
        """Take a token: 0.0 when granted, else the seconds to wait before asking again."""
        ...


# --- live figures (counted in Redis as things happen, rebuilt from SQL at any time) ----------------


@dataclass(frozen=True)
class TallyReading:
    """A campaign's figures as counted, with the version they are at (every count moves it on)."""

    version: int
    figures: dict[str, int]
    built: bool  # False: counted since Redis lost them, so incomplete until rebuilt from SQL


@dataclass(frozen=True)
class Counted:
    """What counting one change did: the figures' version after it (None: nothing was new), and
    per fact, in the order given, whether it was counted now (False: counted before)."""

    version: int | None
    fresh: list[bool]


@dataclass(frozen=True)
class Recount:
    """A campaign's figures added up from SQL, and the facts among them that may still be counted
    live (a callback for a call placed before the recount)."""

    figures: Mapping[str, int]
    counted: Sequence[str] = ()


class Tally(Protocol):
    """Each campaign's running figures (domain.figures names), counted once per fact."""

    def add(self, campaign_id: int, facts: Sequence[tuple[str, Mapping[str, int]]]) -> Counted:
        """Add each fact's increments once per fact name, atomically and in one round trip, moving
        the version on once for the change (not at all when every fact was counted already: a
        repeated callback, a retried job)."""
        ...

    def read(self, campaign_id: int) -> TallyReading: ...

    def rebuild(self, campaign_id: int, recount: Callable[[], Recount]) -> int:
        """Put a recount in place of the running figures, atomically; returns the new version.

        `recount` is read while no other rebuild of the campaign runs. A fact counted live while it
        is read and missing from it is kept; a fact it holds changes nothing when counted later.
        """
        ...


# --- e-mail ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailMessage:
    """One e-mail as it leaves: plain text and the same in simple HTML."""

    sender: str
    to: str
    subject: str
    text: str
    html: str


class MailTransport(Protocol):
    """Hands a message to the mail system; raises MailError (retryable or not) when it cannot."""

    def send(self, message: MailMessage) -> None: ...


class ShareOpens(Protocol):
    """Opens of sharers' links, counted fast by link and hour and handed to SQL in batches, and
    where each link leads, remembered so an open need not ask SQL (see dialer/services/signups/cascade.py)."""

    def count(self, link_id: int, hour: int) -> None: ...

    def pending(self) -> dict[tuple[int, int], int]:
        """(link id, hour since the epoch) -> opens counted and not yet taken."""
        ...

    def taken(self, counts: Mapping[tuple[int, int], int]) -> None:
        """Take these counts off the pending ones (SQL has them now)."""
        ...

    def flushing(self) -> AbstractContextManager[bool]:
        """Whether this caller may flush now (one flush at a time), for the `with` block."""
        ...

    def remember(self, code: str, link_id: int, path: str) -> None: ...

    def recall(self, code: str) -> tuple[int, str] | None: ...
