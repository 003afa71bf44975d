"""A seat's phone leg is renewed before the provider's four-hour limit while the seat lasts (the
recording telephony fake; the jobs run on the test's clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialer.domain.seats import AudioLeg
from dialer.services.calling import sessions
from dialer.services.calling.leg_renewal import PROVIDER_LIMIT, RENEW_BEFORE, renew_leg
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


def browser_seat(bank):
    """A seat whose volunteer's page called in: ready, on its browser leg."""
    from dialer.services.phone_bank import softphone_identity

    campaign = make_campaign(bank)
    user = make_volunteer(bank)
    session_id = sessions.start_session(bank, user, campaign, AudioLeg.BROWSER).session_id
    leg = "CA" + "1" * 32
    sessions.softphone_joined(bank, session_id, f"client:{softphone_identity(user)}", leg)
    return user, session_id, leg


def seat_of(bank, session_id):
    from dialer.models import CallingSession

    with bank.uow() as uow:
        return uow.session.get(CallingSession, session_id)


def test_half_an_hour_before_the_limit_a_ready_browser_seat_is_held_paused_for_a_fresh_leg_then_ready(
    bank, clock, telephony
):
    from dialer.domain.seats import SeatState
    from dialer.services.calling import seat_holding
    from dialer.services.phone_bank import softphone_identity

    user, session_id, leg = browser_seat(bank)
    clock.advance(FIRST.total_seconds() - 60)
    assert telephony.hung_up == []

    clock.advance(61)  # the page has the campaign's grace period (60 s) to come back

    assert telephony.hung_up == [leg]
    seat = seat_of(bank, session_id)
    assert (seat.state, seat.away_since is not None, seat.resume_when_back) == (SeatState.PAUSED, True, True)
    fresh = "CA" + "2" * 32
    sessions.softphone_joined(bank, session_id, f"client:{softphone_identity(user)}", fresh)
    seat_holding.volunteer_back(bank, session_id, fresh, "CF" + "0" * 32)
    seat = seat_of(bank, session_id)
    assert (seat.state, seat.away_since, seat.leg_call_sid) == (SeatState.READY, None, fresh)
    assert not seat.resume_when_back


def test_a_browser_leg_the_provider_cannot_hang_up_just_now_stays_in_its_seat_and_is_swapped_later(
    bank, clock, telephony
):
    from dialer.domain.seats import SeatState
    from dialer.errors import TelephonyError

    _, session_id, leg = browser_seat(bank)
    refusals = iter([TelephonyError("busy", retryable=True)])
    recorded = telephony.hang_up

    def flaky(sid):
        if (error := next(refusals, None)) is not None:
            raise error
        recorded(sid)

    telephony.hang_up = flaky
    clock.advance(FIRST.total_seconds() + 1)
    seat = seat_of(bank, session_id)
    assert (seat.state, seat.away_since, seat.leg_call_sid) == (SeatState.READY, None, leg)
    clock.advance(15)
    assert telephony.hung_up == [leg]
