"""Postcodes are read the way volunteers type them, and refused with a reason when they cannot be used."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.domain.postcodes import InvalidPostcode, PostcodeQuery, parse_postcode


@pytest.mark.parametrize(
    ("typed", "outward", "inward"),
    [
        ("SW1A 1AA", "SW1A", "1AA"),
        ("sw1a1aa", "SW1A", "1AA"),
        ("  Sw1A   1aA ", "SW1A", "1AA"),
        ("M1 1AD", "M1", "1AD"),
        ("M11AD", "M1", "1AD"),
        ("B33 8TH", "B33", "8TH"),
        ("CR2 6XH", "CR2", "6XH"),
        ("DN55 1PT", "DN55", "1PT"),
        ("W1A 0AX", "W1A", "0AX"),
        ("EC1A 1BB", "EC1A", "1BB"),
        ("\uff33\uff37\uff11\uff21\u3000\uff11\uff21\uff21", "SW1A", "1AA"),  # full-width, ideographic space
        ("ab10\t1ab", "AB10", "1AB"),
    ],
)
def test_full_postcodes_are_normalised_whatever_the_case_and_spacing(typed, outward, inward):
    assert parse_postcode(typed) == PostcodeQuery(outward, inward)


@pytest.mark.parametrize(
    ("typed", "district"), [("BS1", "BS1"), ("bs1", "BS1"), (" sw1a ", "SW1A"), ("E20", "E20")]
)
def test_a_district_on_its_own_is_accepted(typed, district):
    query = parse_postcode(typed)
    assert query.is_district_only
    assert query.text == district


def test_the_text_of_a_postcode_has_one_space_before_the_inward_code():
    assert parse_postcode("ec1a1bb").text == "EC1A 1BB"
    assert parse_postcode("ec1a1bb").area == "EC"
    assert parse_postcode("m11ad").area == "M"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "enter a postcode"),
        ("   \t\n", "enter a postcode"),
        ("x" * 10_240, "not a UK postcode: the 10,240-character input is too long"),
        ("<script>", "not a UK postcode: '<SCRIPT>'"),
        ("'; DROP TABLE", "not a UK postcode"),
        ("75008", "not a UK postcode"),  # Paris
        ("K1A 0B1", "not a UK postcode"),  # Ottawa
        ("90210", "not a UK postcode"),
        ("QA1 1AA", "not a UK postcode"),  # Q never starts a postcode
        ("SW1A 1CA", "not a UK postcode"),  # C is never in the inward code
        ("BS1 4", "'BS1 4' is incomplete"),
        ("BS11 AA", "not a UK postcode"),
        ("GIR 0AA", "GIR 0AA is the Girobank's non-geographic postcode"),
        ("BFPO 123", "BFPO (British Forces Post Office) addresses are not geographic"),
        ("BF1 3AA", "BFPO"),
        ("STHL 1ZZ", "STHL is a postcode of St Helena"),
        ("GX11 1AA", "Gibraltar"),
        ("JE2 3AB", "Jersey, which elects no MPs to Westminster"),
        ("GY1 1AA", "Guernsey"),
        ("IM1 1AA", "the Isle of Man"),
        ("XM4 5HQ", "Father Christmas"),
    ],
)
def test_unusable_input_is_refused_with_a_message_saying_why(typed, says):
    with pytest.raises(InvalidPostcode) as refused:
        parse_postcode(typed)
    assert says in str(refused.value)


def test_control_characters_are_not_echoed_back():
    with pytest.raises(InvalidPostcode) as refused:
        parse_postcode("AB\x00\x1b[2J")
    assert "\x00" not in str(refused.value) and "\x1b" not in str(refused.value)


@given(st.text(max_size=40))
def test_any_text_is_either_a_postcode_or_a_clear_refusal(text):
    try:
        query = parse_postcode(text)
    except InvalidPostcode as refused:
        assert str(refused)
        assert len(str(refused)) < 200
    else:
        assert parse_postcode(query.text) == query  # normalising is idempotent
        assert query.text == query.text.upper().strip()


@given(
    st.from_regex(r"[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2}", fullmatch=True),
    st.sampled_from(["", " ", "  "]),
)
def test_every_well_formed_postcode_is_accepted_with_or_without_spaces(postcode, padding):
    compact = postcode.replace(" ", "")
    if compact[:2] in {"GY", "JE", "IM"} or compact[:3] in {"BF1"} or compact in {"GIR0AA", "XM45HQ"}:
        return
    query = parse_postcode(padding + postcode.lower() + padding)
    assert query.text.replace(" ", "") == compact
    assert len(query.inward or "") == 3
