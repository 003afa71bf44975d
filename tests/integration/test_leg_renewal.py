"""A seat's phone leg is renewed before the provider's four-hour limit while the seat lasts (the
recording telephony fake; the jobs run on the test's clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialer.domain.seats import AudioLeg
from dialer.services import sessions
from dialer.services.leg_renewal import PROVIDER_LIMIT, RENEW_BEFORE, renew_leg
from tests.phone_bank_builders import make_campaign, make_volunteer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FIRST = PROVIDER_LIMIT - RENEW_BEFORE  # 3.5 hours


def phone_seat(bank, telephony):
    """A seat whose volunteer answered their phone and pressed 1: ready, on its phone leg."""
    campaign = make_campaign(bank)
    user = make_volunteer(bank, phone="+447700900901")
    session_id = sessions.start_session(bank, user, campaign, AudioLeg.PHONE).session_id
    (leg, _), *_ = telephony.placed
    sessions.volunteer_phone_answered(bank, session_id, leg)
    sessions.volunteer_confirmed(bank, session_id, leg, "1")
    return user, session_id, leg


def test_half_an_hour_before_the_limit_the_leg_is_given_four_hours_more_until_the_seat_ends(
    bank, clock, telephony
):
    user, session_id, leg = phone_seat(bank, telephony)
    clock.advance(FIRST.total_seconds() - 60)
    assert telephony.extended == []

    clock.advance(120)

    assert telephony.extended == [(leg, int((FIRST + PROVIDER_LIMIT).total_seconds()))]
    sessions.end_session(bank, user, session_id)
    clock.advance(PROVIDER_LIMIT.total_seconds())
    assert len(telephony.extended) == 1, "an ended seat's leg is not renewed"


def test_a_leg_the_seat_no_longer_has_is_not_renewed(bank, clock, telephony):
    _, session_id, _ = phone_seat(bank, telephony)
    assert not renew_leg(bank, session_id, "CA" + "9" * 32, clock.now().timestamp())
    assert telephony.extended == []


def test_a_renewal_the_provider_refuses_for_now_is_tried_again_a_minute_later(bank, clock, telephony):
    from dialer.errors import TelephonyError

    _, _, leg = phone_seat(bank, telephony)
    refusals = iter([TelephonyError("busy", retryable=True)])
    recorded = telephony.extend

    def flaky(sid, limit):
        if (error := next(refusals, None)) is not None:
            raise error
        recorded(sid, limit)

    telephony.extend = flaky
    clock.advance(FIRST.total_seconds() + 1)
    assert telephony.extended == []
    clock.advance(60)
    assert [sid for sid, _ in telephony.extended] == [leg]
    assert telephony.extended[0][1] > (FIRST + PROVIDER_LIMIT + timedelta(seconds=59)).total_seconds()
