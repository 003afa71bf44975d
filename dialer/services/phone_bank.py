"""The ports the phone bank's use cases run on, and the names they share with the edges.

Webhook paths, job names and live-update rooms are the contract between the use cases, the web
app (which serves the paths and the rooms) and the workers (which define the jobs); they are
named here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from dialer.clock import Clock
from dialer.ports import (
    CallQueue,
    CallRate,
    JobQueue,
    LiveUpdates,
    SeatBoard,
    Tally,
    Telephony,
    UnitOfWorkFactory,
)

# --- webhook paths (served by web/voice.py) -----------------------------------------------------

ANSWER_PATH = "/voice/answer"
STATUS_PATH = "/voice/status"
CONFERENCE_PATH = "/voice/conference"
SOFTPHONE_PATH = "/voice/volunteer"  # the TwiML App's Voice URL: the browser softphone joins its seat
VOLUNTEER_ANSWER_PATH = "/voice/volunteer/answer"  # "call my phone" answered: ask for a 1
VOLUNTEER_CONFIRM_PATH = "/voice/volunteer/confirm"
VOLUNTEER_STATUS_PATH = "/voice/volunteer/status"
PHONE_CHECK_ANSWER_PATH = "/voice/phone-check/answer"  # a volunteer's number being verified: press 1
PHONE_CHECK_CONFIRM_PATH = "/voice/phone-check/confirm"
PHONE_CHECK_STATUS_PATH = "/voice/phone-check/status"
INCOMING_PATH = "/voice/incoming"  # a campaign caller ID's Voice URL: someone rings it back
INCOMING_CHOICE_PATH = "/voice/incoming/choice"
HOLD_PATH = "/voice/hold"  # what a voter hears while their volunteer's audio reconnects
MACHINE_RESULT_PATH = "/voice/machine-result"  # asynchronous answering-machine detection's verdict

# --- jobs (defined in workers/jobs.py, enqueued by dotted path) -------------------------------------

PACE_CAMPAIGN = "workers.jobs.pace_campaign"
PLACE_CALL = "workers.jobs.place_call"
RECONCILE_CALLS = "workers.jobs.reconcile_calls"
CALL_BACK_DUE = "workers.jobs.call_back_due"
HEARTBEAT = "workers.jobs.heartbeat"
RENEW_LEG = "workers.jobs.renew_leg"
SWAP_LEG = "workers.jobs.swap_leg"
HEARTBEAT_JOB_ID = "marginal-dialer-heartbeat"


def seat_room(session_id: int) -> str:
    """The Socket.IO room of one volunteer's seat (only that volunteer may join it)."""
    return f"seat:{session_id}"


def campaign_room(campaign_id: int) -> str:
    return f"campaign:{campaign_id}"


def softphone_identity(user_id: int) -> str:
    """The client identity a volunteer's browser softphone registers as (Twilio sends client:<identity>)."""
    return f"volunteer-{user_id}"


@dataclass(frozen=True)
class Webhooks:
    """Absolute webhook URLs at the product's public address (what the provider calls and signs)."""

    base_url: str

    def answer(self, call_id: int, campaign_id: int, session_id: int | None, *, any_seat: bool) -> str:
        query: dict[str, Any] = {"call": call_id, "campaign": campaign_id, "any_seat": int(any_seat)}
        if session_id is not None:
            query["seat"] = session_id
        return self._url(ANSWER_PATH, query)

    def status(self, call_id: int) -> str:
        return self._url(STATUS_PATH, {"call": call_id})

    def conference(self, session_id: int) -> str:
        return self._url(CONFERENCE_PATH, {"seat": session_id})

    def softphone(self) -> str:
        return self._url(SOFTPHONE_PATH, {})

    def volunteer_answer(self, session_id: int) -> str:
        return self._url(VOLUNTEER_ANSWER_PATH, {"seat": session_id})

    def volunteer_confirm(self, session_id: int) -> str:
        return self._url(VOLUNTEER_CONFIRM_PATH, {"seat": session_id})

    def volunteer_status(self, session_id: int) -> str:
        return self._url(VOLUNTEER_STATUS_PATH, {"seat": session_id})

    def phone_check_answer(self, verification_id: int) -> str:
        return self._url(PHONE_CHECK_ANSWER_PATH, {"check": verification_id})

    def phone_check_confirm(self, verification_id: int) -> str:
        return self._url(PHONE_CHECK_CONFIRM_PATH, {"check": verification_id})

    def phone_check_status(self, verification_id: int) -> str:
        return self._url(PHONE_CHECK_STATUS_PATH, {"check": verification_id})

    def incoming(self) -> str:
        return self._url(INCOMING_PATH, {})

    def incoming_choice(self) -> str:
        return self._url(INCOMING_CHOICE_PATH, {})

    def hold(self, session_id: int) -> str:
        return self._url(HOLD_PATH, {"seat": session_id})

    def machine_result(self, call_id: int) -> str:
        return self._url(MACHINE_RESULT_PATH, {"call": call_id})

    def _url(self, path: str, query: dict[str, Any]) -> str:
        return f"{self.base_url.rstrip('/')}{path}" + (f"?{urlencode(query)}" if query else "")


@dataclass
class PhoneBank:
    """Everything the calling use cases need, wired by dialer.bootstrap (tests pass fakes)."""

    uow: UnitOfWorkFactory
    clock: Clock
    telephony: Telephony
    queue: CallQueue
    seats: SeatBoard
    call_rate: CallRate
    jobs: JobQueue
    live: LiveUpdates
    webhooks: Webhooks
    tally: Tally  # the campaigns' live figures (dialer.services.calling.live_figures counts into it)
    #: The account's calls-per-second limit (the predictive pacer plans its dials within it).
    calls_per_second: float = 1.0


def constituency_room(campaign_id: int, ons_code: str) -> str:
    """The Socket.IO room of one target seat's figures within a campaign (its organisers only)."""
    return f"campaign:{campaign_id}:constituency:{ons_code}"
