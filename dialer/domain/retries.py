"""What happens to a voter after each call: called again when, never again, or never by anyone.

A campaign starts from the default rule for each disposition and may override the spacing
(`campaign.retry_overrides`, e.g. {"no_answer": {"retry_after_minutes": 120}}); the rules that
protect voters (opt-outs, the 72-hour block after an abandoned call) cannot be loosened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from dialer.domain.dispositions import DEFAULT_RULES, Disposition, RetryRule
from dialer.errors import InvalidInput

#: Dispositions whose rule a campaign may not change.
FIXED = frozenset({Disposition.DO_NOT_CALL, Disposition.DECEASED, Disposition.ABANDONED})


@dataclass(frozen=True)
class RetryPlan:
    """The voter's next step in this campaign after one call."""

    done: bool
    next_call_at: datetime | None = None
    suppress: bool = False  # add the number to the cross-campaign do-not-call list
    block_until: datetime | None = None  # Ofcom: no call before this after an abandoned call
    call_back: bool = False


def campaign_rules(overrides: Mapping[str, Any]) -> dict[Disposition, RetryRule]:
    """The default rules with the campaign's overrides applied (validated: bad ones raise InvalidInput)."""
    rules = dict(DEFAULT_RULES)
    for key, change in overrides.items():
        try:
            disposition = Disposition(key)
        except ValueError:
            raise InvalidInput(f"retry rules: {key!r} is not a disposition") from None
        if disposition in FIXED:
            raise InvalidInput(
                f"retry rules: the rule for {disposition.value!r} protects voters and is fixed"
            )
        if not isinstance(change, Mapping) or set(change) - {"retry_after_minutes"}:
            raise InvalidInput(f"retry rules: {key!r} takes only retry_after_minutes")
        minutes = change.get("retry_after_minutes")
        if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0):
            raise InvalidInput(
                f"retry rules: {key!r} retry_after_minutes must be a whole number >= 0 or null"
            )
        if disposition is Disposition.CALL_BACK:
            raise InvalidInput("retry rules: a call-back happens at the time the voter asked for")
        after = None if minutes is None else timedelta(minutes=minutes)
        rules[disposition] = replace(rules[disposition], retry_after=after)
    return rules


def plan_after(
    disposition: Disposition,
    *,
    rules: Mapping[Disposition, RetryRule],
    attempts_made: int,
    max_attempts: int,
    now: datetime,
    call_back_at: datetime | None = None,
) -> RetryPlan:
    """When (if ever) to call again after a call that ended with `disposition`."""
    rule = rules[disposition]
    if rule.suppress:
        return RetryPlan(done=True, suppress=True)
    if disposition is Disposition.CALL_BACK:
        if call_back_at is None:
            raise InvalidInput("a call-back needs the time the voter asked to be called")
        return RetryPlan(done=False, next_call_at=call_back_at, call_back=True)
    if rule.retry_after is None:
        return RetryPlan(done=True)
    block_until = now + rule.retry_after if disposition is Disposition.ABANDONED else None
    if attempts_made >= max_attempts:
        return RetryPlan(done=True, block_until=block_until)
    return RetryPlan(done=False, next_call_at=now + rule.retry_after, block_until=block_until)
