"""Postcode files are recognised by their header, whatever its case or edition, and each row is a
point, a row to skip, or a reason it is wrong."""

import pytest

from dialer.domain.postcode_files import Columns, PostcodePoint, Skip, read_row
from dialer.errors import InvalidInput


def test_the_onspd_header_is_recognised_in_either_case_and_its_newest_constituency_column_is_read():
    older = Columns.from_header(["pcd", "pcd2", "pcds", "dointr", "doterm", "pcon", "lat", "long"])
    assert older == Columns("pcds", "lat", "long", "pcon", "doterm")
    newer = Columns.from_header(["PCD7", "PCDS", "DOTERM", "PCON10CD", "PCON24CD", "LAT", "LONG"])
    assert newer == Columns("PCDS", "LAT", "LONG", "PCON24CD", "DOTERM")


def test_a_simple_file_needs_no_constituency_column():
    assert Columns.from_header(["Postcode", "Latitude", "Longitude"]) == Columns(
        "Postcode", "Latitude", "Longitude"
    )


def test_a_file_without_postcodes_and_coordinates_is_refused_naming_what_it_has():
    with pytest.raises(InvalidInput, match="this one has first_name, phone"):
        Columns.from_header(["first_name", "phone"])


ONSPD = Columns("pcds", "lat", "long", "pcon", "doterm")


def row(postcode="sw1a1aa", lat="51.501009", lon="-0.141588", pcon="E14001172", doterm=""):
    return {"pcds": postcode, "lat": lat, "long": lon, "pcon": pcon, "doterm": doterm}


def test_a_good_row_is_a_normalised_postcode_at_its_point():
    assert read_row(ONSPD, row()) == PostcodePoint("SW1A 1AA", "SW1A", 51.501009, -0.141588, "E14001172")


def test_a_pseudo_constituency_code_means_none():
    point = read_row(ONSPD, row(pcon="E99999999"))
    assert isinstance(point, PostcodePoint) and point.constituency is None


@pytest.mark.parametrize(
    ("fields", "skip"),
    [
        ({"doterm": "200312"}, Skip.TERMINATED),
        ({"lat": "99.999999", "lon": "0.000000"}, Skip.NO_LOCATION),
        ({"postcode": "GY1 1AA", "lat": "49.45", "lon": "-2.53"}, Skip.OUTSIDE_WESTMINSTER),
    ],
)
def test_rows_that_locate_nobody_are_skipped(fields, skip):
    assert read_row(ONSPD, row(**fields)) is skip


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"postcode": "SW1A"}, "only a district"),
        ({"postcode": ""}, "enter a postcode"),
        ({"lat": "nan"}, "latitude 'nan' is not a number"),
        ({"lon": ""}, "no longitude"),
        ({"lat": "48.0"}, "is not in the UK"),
        ({"pcon": "Westminster"}, "is not an ONS code"),
    ],
)
def test_a_bad_row_says_what_is_wrong(fields, reason):
    with pytest.raises(InvalidInput, match=reason):
        read_row(ONSPD, row(**fields))
