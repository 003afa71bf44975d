"""Phone numbers are stored in E.164, read as UK numbers by default; lists show only the last digits."""

from __future__ import annotations

import pytest

from dialer.domain import phones
from dialer.domain.phones import masked, normalise_phone
from dialer.errors import InvalidInput


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("020 7946 0000", "+442079460000"),
        ("+1 202 555 0143", "+12025550143"),
    ],
)
def test_numbers_are_stored_in_e164_reading_uk_numbers_by_default(written, stored):
    assert normalise_phone(written) == stored


@pytest.mark.parametrize("written", ["", "   ", "hello", "12", "0770090012345678", "x" * 40])
def test_what_is_not_a_phone_number_is_refused_with_a_reason(written):
    with pytest.raises(InvalidInput):
        normalise_phone(written)


def test_lists_show_only_the_last_digits():
    assert masked("+447700900123") == "•••• 123"


def test_a_numbers_fingerprint_is_stable_under_one_key_and_reveals_no_digit():
    key = phones.number_key("one deployment's secret")
    print_ = phones.fingerprint("+447700900123", key)
    assert print_ == phones.fingerprint("+447700900123", key)
    assert print_ != phones.fingerprint("+447700900124", key)
    assert print_ != phones.fingerprint("+447700900123", phones.number_key("another deployment's secret"))
    assert "900123" not in print_ and len(print_) == 64
