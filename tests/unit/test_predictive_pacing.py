"""The predictive pacer and the compliance governor: dial ahead only as far as seats will be free, brake on abandons."""

from datetime import UTC, datetime, timedelta

from dialer.domain.compliance_governor import (
    AbandonCounts,
    AbandonLedger,
    GovernorSettings,
    GovernorState,
    governed,
)
from dialer.domain.pacing import PacerMode, PacerSettings, SeatsNow, decide, power_dials
from dialer.domain.pacing_estimates import SessionEstimates

NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


def _learnt() -> SessionEstimates:
    """A session that has seen 300 calls: 40% answered at ~8 s, conversations of ~2 minutes."""
    estimates = SessionEstimates.starting(ring_timeout_s=25)
    for index in range(300):
        if index % 5 < 2:
            estimates.answers.record_need(6.0 + index % 5)
            estimates.handling.record_talk(100.0 + index % 40)
            estimates.handling.record_wrap(15.0)
        else:
            estimates.answers.record_end(25.0)
    return estimates


def test_the_answer_curve_learns_that_old_ringing_calls_rarely_answer():
    estimates = _learnt()
    assert 0.35 < estimates.answers.need_rate() < 0.45
    assert estimates.answers.need_within(20.0, 10.0) < 0.05


def test_a_team_with_seats_about_to_free_gets_calls_dialled_ahead_of_them():
    seats = SeatsNow(
        ready=0, talking_for_s=[130.0] * 20, wrapping_for_s=[10.0] * 5, ringing_ages_s=[], dial_budget=10
    )
    decision = decide(seats, _learnt(), overflow_allowed=0.02, braked=False)
    assert decision.mode is PacerMode.PREDICTIVE
    assert decision.dials > 0


def test_a_team_in_long_conversations_gets_no_calls_it_could_not_take():
    seats = SeatsNow(ready=0, talking_for_s=[5.0] * 25, wrapping_for_s=[], ringing_ages_s=[], dial_budget=10)
    assert decide(seats, _learnt(), overflow_allowed=0.02, braked=False).dials == 0


def test_dials_waiting_for_the_calls_per_second_budget_count_as_ringing():
    waiting = SeatsNow(
        ready=12, talking_for_s=[], wrapping_for_s=[], ringing_ages_s=[0.0] * 30, dial_budget=5
    )
    idle = SeatsNow(ready=12, talking_for_s=[], wrapping_for_s=[], ringing_ages_s=[], dial_budget=5)
    assert decide(waiting, _learnt(), overflow_allowed=0.02, braked=False).dials == 0
    assert decide(idle, _learnt(), overflow_allowed=0.02, braked=False).dials == 5


def test_below_the_minimum_team_the_pacer_dials_as_power():
    seats = SeatsNow(
        ready=6, talking_for_s=[130.0] * 3, wrapping_for_s=[], ringing_ages_s=[3.0, 4.0], dial_budget=10
    )
    decision = decide(
        seats, _learnt(), overflow_allowed=0.05, braked=False, settings=PacerSettings(min_team=10)
    )
    assert decision.mode is PacerMode.POWER
    assert decision.dials == power_dials(seats) == 4


def test_the_governor_brakes_when_fed_an_abandon_spike():
    state = GovernorState.starting()
    calm = governed(state, AbandonCounts(live=400, abandoned=4))
    assert not calm.braked
    spiked = governed(calm, AbandonCounts(live=420, abandoned=12))
    assert spiked.braked
    seats = SeatsNow(
        ready=20, talking_for_s=[130.0] * 20, wrapping_for_s=[], ringing_ages_s=[2.0] * 5, dial_budget=20
    )
    braked = decide(seats, _learnt(), overflow_allowed=spiked.overflow_allowed, braked=spiked.braked)
    assert braked.mode is PacerMode.POWER and braked.dials == 15


def test_the_brake_holds_until_the_rate_is_back_under_the_release_line():
    settings = GovernorSettings(brake_at=0.025, release_at=0.02)
    braked = GovernorState(0.02, braked=True)
    assert governed(braked, AbandonCounts(live=1000, abandoned=22), settings).braked
    assert not governed(braked, AbandonCounts(live=1000, abandoned=19), settings).braked


def test_the_governor_does_not_wind_up_while_braked():
    braked = GovernorState(0.02, braked=True)
    for _ in range(100):  # a long brake, then the rate falls back to nothing
        braked = governed(braked, AbandonCounts(live=1000, abandoned=21))
    released = governed(braked, AbandonCounts(live=5000, abandoned=21))
    assert not released.braked
    assert released.overflow_allowed == 0.02


def test_the_integral_eases_off_over_target_and_stays_in_its_band():
    settings = GovernorSettings()
    state = GovernorState.starting(settings)
    for _ in range(500):
        state = governed(state, AbandonCounts(live=100000, abandoned=0), settings)
    assert state.overflow_allowed == settings.max_overflow
    over = governed(state, AbandonCounts(live=1000, abandoned=24), settings)
    assert over.overflow_allowed < state.overflow_allowed and not over.braked


def test_people_detection_calls_machines_count_as_abandoned_as_ofcom_asks():
    counts = AbandonCounts(live=1000, abandoned=10, turned_away_as_machines=500)
    assert counts.rate(0.0) == 0.01
    wrongly = 1000 * 0.03 / 0.97  # people detection called machines, for 1000 it put through
    assert round(counts.rate(0.03), 4) == round((10 + wrongly) / (1000 + wrongly), 4)
    assert AbandonCounts(live=1000, turned_away_as_machines=5).wrongly_turned_away(0.03) == 5


def test_the_ledger_forgets_answers_older_than_its_window():
    ledger = AbandonLedger(window=timedelta(hours=24))
    ledger.answered(NOW - timedelta(hours=25), abandoned=True)
    ledger.answered(NOW - timedelta(hours=2), abandoned=True)
    ledger.answered(NOW - timedelta(hours=1))
    ledger.answered(NOW, turned_away=True)
    assert ledger.counts(NOW) == AbandonCounts(live=2, abandoned=1, turned_away_as_machines=1)


def test_one_abandoned_call_among_the_first_twenty_of_a_day_is_not_a_spike():
    state = governed(GovernorState.starting(), AbandonCounts(live=20, abandoned=1))
    assert not state.braked
    assert governed(state, AbandonCounts(live=60, abandoned=3)).braked
