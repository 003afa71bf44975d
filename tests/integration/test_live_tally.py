"""The live figures' counter in real Redis: the facts of one change counted together, each only once."""

import pytest

from dialer.adapters.redis_tally import RedisTally

pytestmark = pytest.mark.integration


def test_the_facts_of_one_change_are_counted_in_one_call_each_moving_the_version_on(redis):
    tally = RedisTally(redis)

    versions = tally.add(
        7, [("answer:1", {"all|answered": 1}), ("connect:1", {"all|connects": 1, "vol:3|connects": 1})]
    )

    assert versions == [1, 2]
    reading = tally.read(7)
    assert reading.version == 2
    assert reading.figures == {"all|answered": 1, "all|connects": 1, "vol:3|connects": 1}


def test_a_fact_counted_before_changes_nothing_while_a_new_one_beside_it_counts(redis):
    tally = RedisTally(redis)
    tally.add(7, [("answer:1", {"all|answered": 1})])

    versions = tally.add(7, [("answer:1", {"all|answered": 1}), ("answer:2", {"all|answered": 1})])

    assert versions == [None, 2]
    assert tally.read(7).figures == {"all|answered": 2}
    assert tally.add(7, []) == []
    assert tally.read(8).figures == {}, "another campaign's figures are its own"
