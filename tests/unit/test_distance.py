"""Distances are great-circle distances on a sphere of the IUGG mean radius."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.domain.distance import EARTH_RADIUS_KM, UnitVector, chord_squared_to_km, great_circle_km


def test_the_earth_radius_is_the_iugg_mean_radius():
    assert EARTH_RADIUS_KM == 6371.0088


def test_one_degree_along_the_equator_is_a_360th_of_the_circumference():
    assert great_circle_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * 6371.0088 / 360, abs=1e-9)


def test_antipodes_are_half_the_circumference_apart():
    assert great_circle_km(51.5, -0.1, -51.5, 179.9) == pytest.approx(math.pi * 6371.0088, abs=1e-6)


latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)


@given(latitudes, longitudes, latitudes, longitudes)
def test_the_chord_between_unit_vectors_gives_the_haversine_distance(lat1, lon1, lat2, lon2):
    a, b = UnitVector.at(lat1, lon1), UnitVector.at(lat2, lon2)
    chord_squared = (a.x - b.x) ** 2 + (a.y - b.y) ** 2 + (a.z - b.z) ** 2
    assert chord_squared_to_km(chord_squared) == pytest.approx(
        great_circle_km(lat1, lon1, lat2, lon2), abs=1e-6
    )


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_is_symmetric_and_never_negative(lat1, lon1, lat2, lon2):
    there = great_circle_km(lat1, lon1, lat2, lon2)
    assert there >= 0
    assert there == pytest.approx(great_circle_km(lat2, lon2, lat1, lon1), abs=1e-9)
