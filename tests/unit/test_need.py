""" "Needs you most": closeness x staffing x travel, each halving at a documented point."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.domain.need import HALF_CLOSENESS_MAJORITY_PCT, HALF_TRAVEL_KM, need_score


def score(majority_pct=0.0, committed=0, target=50, distance_km=0.0):
    return need_score(majority_pct=majority_pct, committed=committed, target=target, distance_km=distance_km)


def test_a_dead_heat_on_the_doorstep_with_nobody_signed_up_scores_one():
    assert score().score == 1.0


def test_each_factor_halves_at_its_documented_point():
    assert HALF_CLOSENESS_MAJORITY_PCT == 5.0 and HALF_TRAVEL_KM == 25.0
    assert score(majority_pct=5).closeness == 0.5
    assert score(committed=50, target=50).staffing == 0.5
    assert score(committed=80, target=50).staffing == 0.5
    assert score(committed=25, target=50).staffing == 0.75
    assert score(distance_km=25).travel == 0.5


def test_a_dead_heat_25_km_away_ranks_level_with_a_5_percent_seat_next_door():
    assert score(majority_pct=0, distance_km=25).score == pytest.approx(score(majority_pct=5).score)


def test_a_seat_without_a_target_counts_as_staffed():
    assert score(target=0).staffing == 0.5


need_inputs = {
    "majority_pct": st.floats(0, 100),
    "committed": st.integers(0, 500),
    "target": st.integers(1, 500),
    "distance_km": st.floats(0, 1500),
}


@given(**need_inputs)
def test_every_score_is_between_zero_and_one(majority_pct, committed, target, distance_km):
    need = score(majority_pct, committed, target, distance_km)
    assert 0 < need.score <= 1
    assert need.score == pytest.approx(need.closeness * need.staffing * need.travel)


@given(**need_inputs, more=st.floats(0.01, 50))
def test_a_bigger_majority_more_volunteers_or_more_travel_never_raise_the_score(
    majority_pct, committed, target, distance_km, more
):
    base = score(majority_pct, committed, target, distance_km).score
    assert score(majority_pct + more, committed, target, distance_km).score <= base
    assert score(majority_pct, committed + 1, target, distance_km).score <= base
    assert score(majority_pct, committed, target, distance_km + more).score <= base
