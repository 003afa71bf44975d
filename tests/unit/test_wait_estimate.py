"""The wait a ready volunteer is told to expect, from the campaign's recent dials."""

from dialer.domain.wait_estimate import expected_wait_s


def test_the_wait_is_the_dialling_time_spent_per_conversation_rounded_up_to_five_seconds():
    # Three unanswered dials of 25 s and one answered after 9 s: 84 s of dialling per conversation.
    assert expected_wait_s([25, 25, 25, 9], conversations=1) == 85


def test_a_predictive_pacer_ringing_two_lines_per_seat_halves_the_wait():
    assert expected_wait_s([25, 25, 25, 9], conversations=1, lines_per_seat=2.0) == 45


def test_too_few_dials_or_no_conversation_give_no_estimate_and_a_short_wait_still_reads_five_seconds():
    assert expected_wait_s([25, 9], conversations=1) is None
    assert expected_wait_s([25, 25, 25], conversations=0) is None
    assert expected_wait_s([1, 1, 1], conversations=3) == 5
