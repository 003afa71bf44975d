"""A seat is marginal for a party that won it or came second, by at most the threshold."""

import math

import pytest

from dialer.domain.elections import BoundarySet, election_named
from dialer.domain.marginality import MarginalityRule, Standing
from dialer.errors import InvalidInput


def test_the_defaults_are_labour_at_the_2024_election_within_ten_percent():
    rule = MarginalityRule()
    assert (rule.party, rule.election, rule.threshold_pct) == ("Lab", "GE2024", 10.0)


def test_a_seat_the_party_holds_narrowly_is_one_it_defends():
    rule = MarginalityRule()
    assert rule.is_marginal("Lab", "Con", 4.2)
    assert rule.standing("Lab", "Con") is Standing.DEFENDING


def test_a_seat_where_the_party_came_a_close_second_is_one_it_challenges():
    rule = MarginalityRule()
    assert rule.is_marginal("SNP", "Lab", 8.1)
    assert rule.standing("SNP", "Lab") is Standing.CHALLENGING


def test_a_majority_exactly_at_the_threshold_still_counts():
    assert MarginalityRule(threshold_pct=10.0).is_marginal("Con", "Lab", 10.0)
    assert not MarginalityRule(threshold_pct=10.0).is_marginal("Con", "Lab", 10.01)


def test_a_close_race_the_party_was_not_in_is_not_its_marginal():
    assert not MarginalityRule().is_marginal("Con", "LD", 0.1)
    assert MarginalityRule().standing("Con", "LD") is None


def test_another_party_and_threshold_can_be_chosen():
    rule = MarginalityRule(party="LD", election="ge2019", threshold_pct=5)
    assert rule.election == "GE2019"
    assert rule.is_marginal("Con", "LD", 4.9)
    assert not rule.is_marginal("Con", "Lab", 4.9)


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"threshold_pct": -1}, "threshold must be a percentage between 0 and 100"),
        ({"threshold_pct": 100.5}, "threshold"),
        ({"threshold_pct": math.nan}, "threshold"),
        ({"threshold_pct": math.inf}, "threshold"),
        ({"party": "Lab; DROP"}, "party must be a party code"),
        ({"party": ""}, "party"),
        ({"election": "GE2010"}, "unknown election 'GE2010': choose one of GE2017, GE2019, GE2024"),
    ],
)
def test_an_impossible_rule_is_refused_with_the_reason(kwargs, says):
    with pytest.raises(InvalidInput) as refused:
        MarginalityRule(**kwargs)
    assert says in str(refused.value)


def test_2017_and_2019_were_fought_on_the_2010_boundaries_and_2024_on_the_new_ones():
    assert election_named("GE2017").boundary_set is BoundarySet.REVIEW_2010
    assert election_named("GE2019").boundary_set is BoundarySet.REVIEW_2010
    assert election_named("GE2024").boundary_set is BoundarySet.REVIEW_2023
