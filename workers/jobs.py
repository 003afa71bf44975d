"""The dialer's background jobs: top-level functions taking ids, each calling one use case.

Enqueued by dotted path (dialer.services.phone_bank names them), so the core never imports this
package. They read their ports from workers.context, which an in-process run can swap. Each dialer job first
puts back what Redis lost, if it lost anything (one EXISTS otherwise): the job that notices is the
first that would have done the wrong thing with an empty Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from dialer.services.calling import dialing, leg_renewal, leg_swap, outcomes, shifts, upkeep
from workers.context import phone_bank

P = ParamSpec("P")
R = TypeVar("R")


def recovering(job: Callable[P, R]) -> Callable[P, R]:
    @wraps(job)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        upkeep.recover_lost_state(phone_bank())
        return job(*args, **kwargs)

    return run


@recovering
def pace_campaign(campaign_id: int) -> int:
    """Give each ready seat of a campaign its next voter."""
    return dialing.pace_campaign(phone_bank(), campaign_id)


@recovering
def place_call(call_id: int, try_number: int = 0) -> None:
    """Place one call with the provider, within the calls-per-second budget, retrying transient errors."""
    dialing.place_call(phone_bank(), call_id, try_number)


@recovering
def reconcile_calls() -> int:
    """Ask the provider about calls with no callback for too long; returns how many changed."""
    return upkeep.reconcile_calls(phone_bank()).changed


@recovering
def call_back_due(voter_id: int) -> bool:
    """A voter's requested call-back time has come."""
    return outcomes.call_back_due(phone_bank(), voter_id)


def heartbeat() -> bool:
    """Rebuild lost Redis state, reconcile, pace idle seats; reschedules itself while anyone is calling."""
    return upkeep.heartbeat(phone_bank())


@recovering
def call_in_shift(shift_id: int) -> int:
    """A calling shift starts: ring (or tell) its booked volunteers, each once; returns how many."""
    return shifts.call_in_due(phone_bank(), shift_id)


def renew_leg(session_id: int, leg_sid: str, placed_at_s: float) -> bool:
    """Give a seat's phone leg a later time limit before the provider's ends it."""
    return leg_renewal.renew_leg(phone_bank(), session_id, leg_sid, placed_at_s)


def swap_leg(session_id: int, leg_sid: str, joined_at_s: float) -> bool:
    """Swap a seat's browser leg for a fresh one before the provider's limit ends it."""
    return leg_swap.swap_leg(phone_bank(), session_id, leg_sid, joined_at_s)
