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


def test_a_volunteers_phone_is_a_uk_landline_or_mobile_written_any_usual_way():
    from dialer.domain.phones import volunteer_phone

    assert volunteer_phone("07911 123456") == "+447911123456"
    assert volunteer_phone("020 7946 0123") == "+442079460123"
    assert volunteer_phone("+44 7700 900123") == "+447700900123"  # a drama mobile (demo and tests)


def test_premium_rate_shared_cost_freephone_and_international_numbers_are_never_rung_for_a_volunteer():
    import pytest

    from dialer.domain.phones import volunteer_phone
    from dialer.errors import InvalidInput

    for number in ("09098 790000", "0845 464 0000", "0800 123 4567", "+33 1 42 68 53 00", "0808 157 0123"):
        with pytest.raises(InvalidInput, match="only ring UK landline and mobile"):
            volunteer_phone(number)
