"""Retry scheduling by disposition, with campaign overrides that can never loosen voters' protections."""

from datetime import UTC, datetime, timedelta

import pytest

from dialer.domain.dispositions import Disposition
from dialer.domain.retries import campaign_rules, plan_after
from dialer.errors import InvalidInput

NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
RULES = campaign_rules({})


def plan(disposition, attempts=1, rules=RULES, **kw):
    return plan_after(disposition, rules=rules, attempts_made=attempts, max_attempts=3, now=NOW, **kw)


@pytest.mark.parametrize(
    ("disposition", "after"),
    [
        (Disposition.NO_ANSWER, timedelta(hours=4)),
        (Disposition.BUSY, timedelta(hours=1)),
        (Disposition.MACHINE, timedelta(hours=24)),
    ],
)
def test_unanswered_calls_are_retried_after_their_spacing(disposition, after):
    result = plan(disposition)
    assert not result.done and result.next_call_at == NOW + after


@pytest.mark.parametrize(
    "disposition", [Disposition.TALKED, Disposition.REFUSED, Disposition.WRONG_NUMBER, Disposition.MOVED]
)
def test_final_outcomes_end_the_voters_calls_in_this_campaign(disposition):
    result = plan(disposition)
    assert result.done and not result.suppress


@pytest.mark.parametrize("disposition", [Disposition.DO_NOT_CALL, Disposition.DECEASED])
def test_do_not_call_suppresses_the_number_everywhere(disposition):
    assert plan(disposition).suppress


def test_the_last_attempt_ends_the_voters_calls():
    assert plan(Disposition.NO_ANSWER, attempts=3).done


def test_an_abandoned_call_blocks_the_number_for_72_hours():
    result = plan(Disposition.ABANDONED)
    assert result.block_until == NOW + timedelta(hours=72)
    assert result.next_call_at == NOW + timedelta(hours=72)
    assert plan(Disposition.ABANDONED, attempts=3).block_until == NOW + timedelta(hours=72)


def test_a_call_back_is_at_the_time_asked_for_whatever_the_attempts():
    at = NOW + timedelta(days=1)
    result = plan(Disposition.CALL_BACK, attempts=3, call_back_at=at)
    assert (result.done, result.next_call_at, result.call_back) == (False, at, True)
    with pytest.raises(InvalidInput):
        plan(Disposition.CALL_BACK)


def test_a_campaign_may_change_the_spacing_or_stop_retrying():
    rules = campaign_rules({"no_answer": {"retry_after_minutes": 30}, "busy": {"retry_after_minutes": None}})
    assert plan(Disposition.NO_ANSWER, rules=rules).next_call_at == NOW + timedelta(minutes=30)
    assert plan(Disposition.BUSY, rules=rules).done


@pytest.mark.parametrize(
    "overrides",
    [
        {"do_not_call": {"retry_after_minutes": 60}},
        {"abandoned": {"retry_after_minutes": 60}},
        {"nonsense": {"retry_after_minutes": 60}},
        {"busy": {"retry_after_minutes": -5}},
        {"busy": {"wait": 5}},
        {"call_back": {"retry_after_minutes": 5}},
    ],
)
def test_overrides_that_are_malformed_or_would_loosen_protections_are_refused(overrides):
    with pytest.raises(InvalidInput):
        campaign_rules(overrides)
