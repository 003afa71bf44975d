"""Reading voter CSVs: every bad row is named by its line and reason, the good rows come through."""

from pathlib import Path

import pytest

from dialer.domain import voter_rows
from dialer.domain.voter_rows import Record, RowProblem, VoterRow
from dialer.errors import InvalidInput

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "voters_malformed.csv"


def parse(data: bytes, encoding="utf-8"):
    items = list(voter_rows.records(voter_rows.decode(data, encoding)))
    assert isinstance(items[0], Record)
    headers = items[0].fields
    index = voter_rows.check_columns(voter_rows.guess_columns(headers), headers)
    return [
        voter_rows.parse_row(item, len(headers), index) if isinstance(item, Record) else item
        for item in items[1:]
    ]


def test_the_malformed_fixture_yields_its_good_rows_and_names_every_bad_line():
    rows = parse(FIXTURE.read_bytes())
    good = {row.line: row for row in rows if isinstance(row, VoterRow)}
    bad = {row.line: row.reason for row in rows if isinstance(row, RowProblem)}
    assert sorted(good) == [2, 3, 6, 11, 15, 17, 18, 21, 22]
    assert sorted(bad) == [7, 8, 9, 10, 12, 13, 14, 16, 19, 23]
    assert "missing columns" in bad[7]
    assert bad[8] == "the phone number is not a valid, callable phone number"  # 12345
    assert bad[16] == "the phone number is not a valid, callable phone number"  # a drama number a digit short
    assert bad[9] == "the postcode is not a UK postcode"
    assert "0xEB" in bad[10] and "Windows-1252" in bad[10]
    assert bad[12] == "no first name"
    assert "'maybe' is not yes or no" in bad[13]
    assert "quoted field is not closed" in bad[14]
    assert "(an unquoted comma?)" in bad[19]
    reported = " ".join(bad.values())
    for written in ("12345", "07700 90001", "NOT A PC", "Hal", "Gita", "Lena"):
        assert written not in reported, "a report names the field, never repeats what was in it"


def test_quotes_commas_and_line_breaks_inside_fields_are_read_as_one_value():
    rows = {row.line: row for row in parse(FIXTURE.read_bytes()) if isinstance(row, VoterRow)}
    assert rows[3].last_name == "O'Neill, Jr"
    assert rows[3].address == "Flat 2, 5 Park Row, Leeds"
    assert rows[6].first_name == "Chloé"
    assert rows[6].last_name == 'Dupont "CeeCee"'


def test_phones_become_e164_postcodes_royal_mail_form_and_flags_booleans():
    rows = {row.line: row for row in parse(FIXTURE.read_bytes()) if isinstance(row, VoterRow)}
    assert rows[2].phone_e164 == rows[11].phone_e164 == "+442079460001"
    assert rows[2].postcode == "SW1A 1AA"
    assert (rows[3].tps, rows[11].do_not_call, rows[21].tps, rows[21].do_not_call) == (
        True,
        True,
        True,
        False,
    )
    assert rows[2].key() == rows[11].key()
    assert rows[17].key() == rows[18].key() and rows[17].phone_e164 is None
    assert rows[22].phone_e164 == "+447700900017"  # Ofcom's drama numbers are accepted: demo lists use them


def test_a_windows_1252_file_is_read_when_the_organiser_says_so():
    data = "First name,Phone\r\nZoë,020 7946 0100\r\n".encode("cp1252")
    [row] = parse(data, "cp1252")
    assert isinstance(row, VoterRow) and row.first_name == "Zoë"
    [problem] = parse(data, "utf-8")
    assert isinstance(problem, RowProblem) and problem.line == 2


def test_a_utf8_byte_order_mark_does_not_spoil_the_first_header():
    data = "\ufeffFirst name,Phone\r\nAda,020 7946 0100\r\n".encode()
    assert voter_rows.read_headers(voter_rows.decode(data, "utf-8")) == ["First name", "Phone"]


def test_an_unclosed_quote_is_not_allowed_to_swallow_the_rest_of_the_file():
    lines = ["First name,Phone", 'Hal,"020 7946 0101'] + [f"P{i},020 7946 0{200 + i}" for i in range(20)]
    rows = parse("\n".join(lines).encode())
    assert isinstance(rows[0], RowProblem) and rows[0].line == 2
    assert [row.line for row in rows[1:] if isinstance(row, VoterRow)] == list(range(3, 23))


def test_headers_are_guessed_from_common_spellings():
    guess = voter_rows.guess_columns(
        ["Forename", "SURNAME", "Mobile", "Post Code", "Ward", "Elector ID", "DNC"]
    )
    assert guess == {
        "first_name": "Forename",
        "last_name": "SURNAME",
        "phone": "Mobile",
        "postcode": "Post Code",
        "area": "Ward",
        "do_not_call": "DNC",
    }


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"phone": "Phone"}, "first names"),
        ({"first_name": "Name"}, "phone number column"),
        ({"first_name": "Name", "phone": "Nope"}, "no column named 'Nope'"),
        ({"first_name": "Name", "phone": "Name"}, "only one voter field"),
        ({"first_name": "Name", "phone": "Phone", "shoe_size": "Phone"}, "unknown voter field"),
    ],
)
def test_a_mapping_that_cannot_work_is_refused_with_the_reason(columns, message):
    with pytest.raises(InvalidInput, match=message):
        voter_rows.check_columns(columns, ["Name", "Phone"])


def test_an_empty_file_or_a_repeated_header_is_refused():
    with pytest.raises(InvalidInput, match="empty"):
        voter_rows.read_headers("")
    with pytest.raises(InvalidInput, match="twice: Phone"):
        voter_rows.read_headers("Name,Phone,Phone\n")
