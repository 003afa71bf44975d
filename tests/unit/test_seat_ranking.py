"""The in-memory index ranks seats exactly as a brute-force pass over every seat would."""

import heapq
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.domain.distance import great_circle_km
from dialer.domain.marginality import MarginalityRule, Standing
from dialer.domain.need import need_score
from dialer.services.geography.seat_activity import SeatActivity
from dialer.services.geography.seat_finder import Seat, SeatFinder, SeatIndex


def seat(code, lat, lon, winner="Lab", runner_up="Con", majority_pct=3.0):
    return Seat(code, code, "England", "", lat, lon, "", winner, runner_up, 100, majority_pct)


def test_only_seats_the_party_won_or_came_second_in_within_the_threshold_are_indexed():
    seats = [
        seat("held", 51, 0, "Lab", "Con", 2.0),
        seat("chased", 52, 0, "Con", "Lab", 9.99),
        seat("safe", 53, 0, "Lab", "Con", 25.0),
        seat("third", 54, 0, "Con", "LD", 0.5),
    ]
    index = SeatIndex(MarginalityRule(), seats)
    assert [s.ons_code for s in index.seats] == ["held", "chased"]
    assert index.standings == (Standing.DEFENDING, Standing.CHALLENGING)


uk_lat = st.floats(49.9, 60.8)
uk_lon = st.floats(-8.2, 1.8)
seats_strategy = st.lists(
    st.tuples(uk_lat, uk_lon, st.floats(0, 10), st.integers(0, 80), st.integers(1, 80)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(seats_strategy, uk_lat, uk_lon, st.integers(1, 12))
def test_needs_you_most_matches_scoring_every_seat(raw, lat, lon, limit):
    seats = [seat(f"S{i}", la, lo, majority_pct=m) for i, (la, lo, m, _, _) in enumerate(raw)]
    activity = {
        f"S{i}": SeatActivity(volunteer_target=target, committed_volunteers=committed)
        for i, (_, _, _, committed, target) in enumerate(raw)
    }
    index = SeatIndex(MarginalityRule(), seats)
    chosen = SeatFinder._neediest(index, index.chords_squared(lat, lon), activity, limit)

    def brute(i):
        s, a = seats[i], activity[f"S{i}"]
        km = great_circle_km(lat, lon, s.lat, s.lon)
        need = need_score(
            majority_pct=s.majority_pct,
            committed=a.committed_volunteers,
            target=a.volunteer_target,
            distance_km=km,
        )
        return need.score, -km

    expected = heapq.nlargest(limit, range(len(seats)), key=brute)
    assert [round(brute(i)[0], 9) for i in chosen] == [round(brute(i)[0], 9) for i in expected]
    assert len(chosen) == min(limit, len(seats))


@settings(max_examples=100, deadline=None)
@given(seats_strategy, uk_lat, uk_lon)
def test_nearest_first_matches_measuring_every_seat(raw, lat, lon):
    seats = [seat(f"S{i}", la, lo) for i, (la, lo, *_) in enumerate(raw)]
    index = SeatIndex(MarginalityRule(), seats)
    chords = index.chords_squared(lat, lon)
    by_chord = sorted(range(len(seats)), key=chords.__getitem__)
    distances = [great_circle_km(lat, lon, seats[i].lat, seats[i].lon) for i in by_chord]
    assert all(later - earlier > -1e-9 for earlier, later in itertools.pairwise(distances))
