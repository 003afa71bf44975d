"""Every dial passes the same compliance guards: suppression, TPS, attempts, the 72-hour block, hours."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from dialer.domain.calling_hours import CallingHours
from dialer.domain.eligibility import Circumstances, NotCallable, earliest_call, reason_not_to_call

HOURS = CallingHours.parse("08:00", "21:00", "09:00", "21:00")
NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


@dataclass
class Facts:
    phone_e164: str | None = "+447700900001"
    tps: bool = False
    do_not_call: bool = False
    done: bool = False
    attempts: int = 0
    next_call_at: datetime | None = None
    blocked_until: datetime | None = None
    erased_at: datetime | None = None


def reason(facts, now=NOW, **circumstances):
    return reason_not_to_call(
        facts, max_attempts=3, hours=HOURS, now=now, circumstances=Circumstances(**circumstances)
    )


def test_a_fresh_voter_in_hours_may_be_called():
    assert reason(Facts()) is None


@pytest.mark.parametrize(
    ("facts", "circumstances", "expected"),
    [
        (Facts(phone_e164=None), {}, NotCallable.NO_NUMBER),
        (Facts(erased_at=NOW), {}, NotCallable.ERASED),
        (Facts(), {"suppressed": True}, NotCallable.SUPPRESSED),
        (Facts(tps=True), {}, NotCallable.TPS),
        (Facts(do_not_call=True), {}, NotCallable.DO_NOT_CALL),
        (Facts(done=True), {}, NotCallable.DONE),
        (Facts(attempts=3), {}, NotCallable.MAX_ATTEMPTS),
        (Facts(blocked_until=NOW + timedelta(hours=71)), {}, NotCallable.BLOCKED_AFTER_ABANDON),
        (Facts(next_call_at=NOW + timedelta(minutes=1)), {}, NotCallable.NOT_YET_DUE),
        (Facts(), {"in_a_call": True}, NotCallable.IN_A_CALL),
        (Facts(), {"dialled_today_elsewhere": True}, NotCallable.DIALLED_TODAY_ELSEWHERE),
        (Facts(), {"number_on_tps": True}, NotCallable.TPS),
        (Facts(), {"number_blocked_until": NOW + timedelta(hours=1)}, NotCallable.BLOCKED_AFTER_ABANDON),
    ],
)
def test_each_rule_refuses_the_dial_and_says_why(facts, circumstances, expected):
    assert reason(facts, **circumstances) is expected


def test_nobody_is_dialled_outside_calling_hours():
    assert reason(Facts(), now=NOW.replace(hour=22)) is NotCallable.OUTSIDE_HOURS


def test_the_72_hour_block_lifts_exactly_when_it_ends():
    blocked = Facts(blocked_until=NOW)
    assert reason(blocked, now=NOW - timedelta(seconds=1)) is NotCallable.BLOCKED_AFTER_ABANDON
    assert reason(blocked, now=NOW) is None


def test_suppression_and_tps_outrank_everything_temporary():
    facts = Facts(tps=True, blocked_until=NOW + timedelta(hours=1))
    assert reason(facts, suppressed=True) is NotCallable.SUPPRESSED
    assert NotCallable.SUPPRESSED.permanent and NotCallable.TPS.permanent
    assert not NotCallable.OUTSIDE_HOURS.permanent


def test_a_requested_call_back_is_owed_even_after_the_last_attempt():
    facts = Facts(attempts=3)
    assert reason(facts, call_back_requested=True) is None


def test_the_earliest_call_is_the_later_of_retry_time_and_block():
    facts = Facts(next_call_at=NOW, blocked_until=NOW + timedelta(hours=72))
    assert earliest_call(facts) == NOW + timedelta(hours=72)
    assert earliest_call(replace(facts, blocked_until=None)) == NOW
    assert earliest_call(Facts()) is None


def test_a_voter_whose_number_is_blocked_is_looked_at_again_when_the_numbers_block_ends():
    ends = NOW + timedelta(hours=70)
    facts = Facts(next_call_at=NOW + timedelta(hours=4))
    assert earliest_call(facts, Circumstances(number_blocked_until=ends)) == ends
    assert reason(facts, now=ends, number_blocked_until=ends) is None, "the block ends on the hour"
