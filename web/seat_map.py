"""The seat map, drawn by the app from the seats' own points: an SVG of the UK, no tile server.

Every seat is a dot at its reference point, so 650 dots draw the country's outline and density.
Marginal seats are filled in the colour of the party holding them and ringed in the colour of the
runner-up; the volunteer is a marked point; the listed seats carry their rank. Two views: the whole
UK, and a close-up framing the volunteer and every seat listed. The projection is equirectangular
scaled by the cosine of the middle latitude, which is faithful enough at the scale of the UK; each
map carries it (`projection`) so the page's script draws the coastline in the same place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dialer.services.accounts.volunteer_view import VolunteerView
from dialer.services.geography.birds_eye import BirdsEye, OverviewSeat
from dialer.services.geography.seat_finder import RankedSeat, Seat, SeatsNearby

#: The UK's extent (with Shetland and the west of Northern Ireland), in degrees.
UK_BOUNDS = (49.8, -8.3, 60.95, 1.9)  # south, west, north, east
OVERVIEW_WIDTH = 300.0
CLOSE_UP_WIDTH = 480.0
#: The close-up never shows less than this many km from side to side.
MIN_CLOSE_UP_KM = 30.0
KM_PER_DEGREE = 111.2  # of latitude


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    seat: Seat
    marginal: bool


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    rank: int
    seat: Seat
    order: str


@dataclass(frozen=True)
class SeatMap:
    width: float
    height: float
    dot_radius: float
    dots: list[Dot]  # ordinary seats first, so marginals are painted on top
    you: tuple[float, float]
    markers: list[Marker]
    frame: tuple[float, float, float, float] | None = None  # the close-up's extent, on the overview
    #: (west, north, cos, scale): the page's script projects the coastline exactly as the dots.
    projection: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.1f} {self.height:.1f}"


class _Projection:
    def __init__(self, bounds: tuple[float, float, float, float], width: float) -> None:
        south, west, north, east = bounds
        self.north, self.west = north, west
        self.cos = math.cos(math.radians((south + north) / 2))
        self.scale = width / ((east - west) * self.cos)
        self.width = width
        self.height = (north - south) * self.scale

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.west) * self.cos * self.scale, (self.north - lat) * self.scale

    def contains(self, x: float, y: float) -> bool:
        return -2 <= x <= self.width + 2 and -2 <= y <= self.height + 2


def overview(view: VolunteerView, order: str) -> SeatMap:
    projection = _Projection(UK_BOUNDS, OVERVIEW_WIDTH)
    close = _close_up_bounds(view)
    x0, y0 = projection(close[2], close[1])
    x1, y1 = projection(close[0], close[3])
    return _draw(view, projection, order, radius=1.6, frame=(x0, y0, x1 - x0, y1 - y0))


def close_up(view: VolunteerView, order: str) -> SeatMap:
    return _draw(view, _Projection(_close_up_bounds(view), CLOSE_UP_WIDTH), order, radius=5.0)


def _draw(
    view: VolunteerView,
    projection: _Projection,
    order: str,
    *,
    radius: float,
    frame: tuple[float, float, float, float] | None = None,
) -> SeatMap:
    marginal = {seat.ons_code for seat in view.marginals.seats}
    dots = [
        Dot(*projection(seat.lat, seat.lon), seat, seat.ons_code in marginal)
        for seat in sorted(view.seats, key=lambda s: s.ons_code in marginal)
    ]
    location = view.nearest.location
    markers = [
        Marker(*projection(ranked.seat.lat, ranked.seat.lon), ranked.rank, ranked.seat, found.order.value)
        for found in _rankings(view, order)
        for ranked in found.seats
    ]
    return SeatMap(
        width=projection.width,
        height=projection.height,
        dot_radius=radius,
        dots=[dot for dot in dots if projection.contains(dot.x, dot.y)],
        you=projection(location.lat, location.lon),
        markers=markers,
        frame=frame,
        projection=(projection.west, projection.north, projection.cos, projection.scale),
    )


def _rankings(view: VolunteerView, order: str) -> list[SeatsNearby]:
    """Both rankings, the one shown first last (so its markers are painted on top)."""
    both = [view.nearest, view.neediest]
    return sorted(both, key=lambda found: found.order.value == order)


def _close_up_bounds(view: VolunteerView) -> tuple[float, float, float, float]:
    location = view.nearest.location
    points = [(location.lat, location.lon)] + [
        (ranked.seat.lat, ranked.seat.lon) for ranked in _listed(view.nearest.seats, view.neediest.seats)
    ]
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    cos = math.cos(math.radians((south + north) / 2))
    # Pad by an eighth, keep at least MIN_CLOSE_UP_KM across, and keep the shape between 4:5 and
    # 16:9 so the close-up reads well on a phone as on a laptop.
    height_km = max((north - south) * KM_PER_DEGREE * 1.25, MIN_CLOSE_UP_KM)
    width_km = max((east - west) * KM_PER_DEGREE * cos * 1.25, MIN_CLOSE_UP_KM)
    width_km = max(width_km, height_km * 0.8)
    height_km = max(height_km, width_km * 9 / 16)
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    half_lat = height_km / KM_PER_DEGREE / 2
    half_lon = width_km / (KM_PER_DEGREE * cos) / 2
    return mid_lat - half_lat, mid_lon - half_lon, mid_lat + half_lat, mid_lon + half_lon


def _listed(*rankings: Sequence[RankedSeat]) -> Iterable[RankedSeat]:
    for ranking in rankings:
        yield from ranking


# --- the organiser's bird's-eye view ---------------------------------------------------------------

BIRDS_EYE_WIDTH = 300.0


@dataclass(frozen=True)
class OverviewDot:
    x: float
    y: float
    radius: float
    seat: OverviewSeat


@dataclass(frozen=True)
class CountryMap:
    """Every seat as a small dot, and over them each marginal and target seat sized by its need."""

    width: float
    height: float
    background: list[tuple[float, float]]
    dots: list[OverviewDot]  # least needy first, so the neediest and the targets are painted on top
    projection: tuple[float, float, float, float]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.1f} {self.height:.1f}"


def country(view: BirdsEye) -> CountryMap:
    """The whole UK with the campaign's marginals (radius grows with need) and its target seats."""
    projection = _Projection(UK_BOUNDS, BIRDS_EYE_WIDTH)
    shown = {s.ons_code for s in view.seats}
    background = [projection(seat.lat, seat.lon) for seat in view.all_seats if seat.ons_code not in shown]
    dots = [
        OverviewDot(*projection(s.seat.lat, s.seat.lon), 1.0 + 3.0 * s.need, s)
        for s in sorted(view.seats, key=lambda s: (s.figures is not None, s.need))
        if s.seat is not None
    ]
    return CountryMap(
        width=projection.width,
        height=projection.height,
        background=background,
        dots=dots,
        projection=(projection.west, projection.north, projection.cos, projection.scale),
    )
