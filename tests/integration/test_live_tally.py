"""The live figures' counter in real Redis: the facts of one change counted together, each only once,
the version moving on once per change; rebuilt from a recount, one rebuild at a time, without losing
or doubling what is counted while the recount is read."""

import threading

import pytest

from dialer.adapters.redis_tally import RedisTally, journal_key
from dialer.ports import Counted, Recount, TallyReading

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


def test_a_rebuild_puts_the_recount_in_place_and_the_facts_it_holds_never_count_again(redis):
    tally = RedisTally(redis)
    tally.add(7, [("answer:1", {"all|answered": 5})])  # wrong before the rebuild

    version = tally.rebuild(7, lambda: Recount({"all|answered": 2}, ["answer:1", "answer:2"]))

    assert tally.read(7) == TallyReading(version, {"all|answered": 2}, built=True)
    assert tally.add(7, [("answer:2", {"all|answered": 1})]) == Counted(None, [False])
    assert tally.read(7).figures == {"all|answered": 2}


def test_a_fact_counted_while_the_recount_is_read_is_kept_when_the_recount_missed_it(redis):
    tally = RedisTally(redis)

    def recount_read_just_before_a_call_was_answered() -> Recount:
        tally.add(7, [("answer:2", {"all|answered": 1})])  # committed after the read, counted now
        return Recount({"all|answered": 1}, ["answer:1"])

    tally.rebuild(7, recount_read_just_before_a_call_was_answered)

    assert tally.read(7).figures == {"all|answered": 2}
    assert not redis.exists(journal_key(7)), "the journal goes with its rebuild"
    tally.add(7, [("answer:3", {"all|answered": 1})])
    assert not redis.exists(journal_key(7)), "nothing is journalled outside a rebuild"


def test_a_fact_counted_while_the_recount_is_read_is_not_doubled_when_the_recount_holds_it(redis):
    tally = RedisTally(redis)

    def recount_that_holds_the_answer_counted_meanwhile() -> Recount:
        tally.add(7, [("answer:2", {"all|answered": 1})])
        return Recount({"all|answered": 2}, ["answer:1", "answer:2"])

    tally.rebuild(7, recount_that_holds_the_answer_counted_meanwhile)

    assert tally.read(7).figures == {"all|answered": 2}


def test_a_second_rebuild_waits_for_the_first_so_neither_throws_away_what_the_other_counted(redis):
    tally = RedisTally(redis)
    order: list[str] = []

    def second_recount() -> Recount:
        order.append("second read")
        return Recount({"all|dials": 2})

    second = threading.Thread(target=lambda: tally.rebuild(7, second_recount))

    def first_recount() -> Recount:
        order.append("first read")
        second.start()
        second.join(timeout=0.3)  # it cannot read while this rebuild is under way
        order.append("first replaced")
        return Recount({"all|dials": 1})

    tally.rebuild(7, first_recount)
    second.join(timeout=10)

    assert order == ["first read", "first replaced", "second read"]
    assert tally.read(7).figures == {"all|dials": 2}


def test_a_rebuild_whose_recount_fails_lets_the_next_one_run(redis):
    tally = RedisTally(redis)

    def broken() -> Recount:
        raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError):
        tally.rebuild(7, broken)

    tally.rebuild(7, lambda: Recount({"all|dials": 3}))
    assert tally.read(7).figures == {"all|dials": 3}
