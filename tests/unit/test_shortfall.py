"""The live shortfall ranks phone banks by close-seat voters left per volunteer calling."""

import pytest

from dialer.domain.need import closeness
from dialer.domain.shortfall import PhoneBankNeed, neediest


def bank(campaign_id, voters_left, majority_pct, calling):
    return PhoneBankNeed(campaign_id, voters_left, closeness(majority_pct), calling)


def chosen(*banks):
    """The campaign id of the bank chosen (None: none)."""
    found = neediest(banks)
    return found.campaign_id if found else None


def test_the_shortfall_is_voters_left_times_closeness_over_the_volunteers_calling_and_the_newcomer():
    assert bank(1, 300, 5.0, 2).shortfall == pytest.approx(300 * 0.5 / 3)
    assert bank(1, 300, 0.0, 0).shortfall == 300


def test_a_closer_seat_wins_over_a_safer_one_with_as_many_voters_and_callers():
    assert chosen(bank(1, 200, 12.0, 1), bank(2, 200, 1.0, 1)) == 2


def test_volunteers_already_calling_share_a_bank_out_so_a_smaller_unstaffed_bank_can_need_you_more():
    busy, empty = bank(1, 1000, 2.0, 9), bank(2, 300, 2.0, 0)
    assert busy.shortfall < empty.shortfall
    assert chosen(busy, empty) == 2


def test_more_voters_left_wins_where_closeness_and_callers_are_equal():
    assert chosen(bank(1, 40, 3.0, 0), bank(2, 400, 3.0, 0)) == 2


def test_a_bank_with_no_voters_left_is_never_chosen_and_ties_go_to_the_older_bank():
    assert neediest([bank(1, 0, 0.0, 0)]) is None
    assert neediest([]) is None
    assert chosen(bank(7, 100, 4.0, 1), bank(3, 100, 4.0, 1)) == 3
