"""The live figures' counter in real Redis: the facts of one change counted together, each only once,
the version moving on once per change."""

import pytest

from dialer.adapters.redis_tally import RedisTally
from dialer.ports import Counted

pytestmark = pytest.mark.integration


def test_the_facts_of_one_change_are_counted_in_one_call_moving_the_version_on_once(redis):
    tally = RedisTally(redis)

    counted = tally.add(
        7, [("answer:1", {"all|answered": 1}), ("connect:1", {"all|connects": 1, "vol:3|connects": 1})]
    )

    assert counted == Counted(1, [True, True])
    reading = tally.read(7)
    assert reading.version == 1
    assert reading.figures == {"all|answered": 1, "all|connects": 1, "vol:3|connects": 1}


def test_a_fact_counted_before_changes_nothing_while_a_new_one_beside_it_counts(redis):
    tally = RedisTally(redis)
    tally.add(7, [("answer:1", {"all|answered": 1})])

    counted = tally.add(7, [("answer:1", {"all|answered": 1}), ("answer:2", {"all|answered": 1})])

    assert counted == Counted(2, [False, True])
    assert tally.read(7).figures == {"all|answered": 2}
    assert tally.add(7, [("answer:1", {"all|answered": 1})]) == Counted(None, [False])
    assert tally.read(7).version == 2, "a change with nothing new does not move the version"
    assert tally.add(7, []) == Counted(None, [])
    assert tally.read(8).figures == {}, "another campaign's figures are its own"
