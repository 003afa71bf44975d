"""Distances between places on the Earth: great-circle (haversine) on a sphere of the mean radius."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The IUGG mean Earth radius (R1), in kilometres.
EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine distance in km between two WGS84 points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class UnitVector:
    """A point as a unit vector from the Earth's centre.

    The squared chord between two such vectors orders points exactly as the great-circle distance
    does (haversine's h is a quarter of it), at three multiplications a pair instead of four
    trigonometric calls; ranking hundreds of seats per look-up relies on that.
    """

    x: float
    y: float
    z: float

    @classmethod
    def at(cls, lat: float, lon: float) -> UnitVector:
        phi, lam = math.radians(lat), math.radians(lon)
        return cls(math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def chord_squared_to_km(chord_squared: float) -> float:
    """The great-circle distance for a squared chord between unit vectors (the haversine identity)."""
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(chord_squared) / 2))
