"""The real election results and geography, as `dialer seed` loads them."""

from collections import Counter
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dialer.adapters.db import SqlUnitOfWork
from dialer.adapters.reference_data import read_reference_data
from dialer.adapters.reference_seed import seed_reference_data
from dialer.clock import SimClock
from dialer.domain.marginality import MarginalityRule
from dialer.models import Constituency, ConstituencyPoint, ElectionResult
from dialer.services.geography.seat_finder import SeatFinder
from tests.conftest import REFERENCE_TABLES

pytestmark = pytest.mark.integration

SEAT_TOTALS = {
    "GE2017": {"Con": 317, "Lab": 262, "SNP": 35, "LD": 12, "DUP": 10, "SF": 7, "PC": 4, "Green": 1, "Spk": 1, "Ind": 1},
    "GE2019": {
        "Con": 365, "Lab": 202, "SNP": 48, "LD": 11, "DUP": 8, "SF": 7, "PC": 4, "SDLP": 2, "Green": 1, "APNI": 1,
        "Spk": 1,
    },
    "GE2024": {
        "Lab": 411, "Con": 121, "LD": 72, "SNP": 9, "SF": 7, "Ind": 6, "RUK": 5, "DUP": 5, "Green": 4, "PC": 4,
        "SDLP": 2, "APNI": 1, "UUP": 1, "TUV": 1, "Spk": 1,
    },
}  # fmt: skip


def result(session, election, name):
    return session.exec(
        select(ElectionResult)
        .join(Constituency, col(Constituency.ons_code) == ElectionResult.ons_code)
        .where(ElectionResult.election == election, Constituency.name == name)
    ).one()


@pytest.mark.parametrize("election", SEAT_TOTALS)
def test_seat_totals_match_the_house_of_commons_library(seeded_engine, election):
    with Session(seeded_engine) as session:
        winners = session.exec(
            select(ElectionResult.winner_party).where(ElectionResult.election == election)
        ).all()
    assert len(winners) == 650
    assert Counter(winners) == SEAT_TOTALS[election]


def test_kensington_2017_was_won_by_labour_by_20_votes(seeded_engine):
    with Session(seeded_engine) as session:
        kensington = result(session, "GE2017", "Kensington")
    assert (kensington.winner_party, kensington.runner_up_party, kensington.majority) == ("Lab", "Con", 20)
    assert kensington.result == "Lab gain from Con"


def test_canterbury_2017_was_won_by_labour_by_187_votes(seeded_engine):
    with Session(seeded_engine) as session:
        canterbury = result(session, "GE2017", "Canterbury")
    assert (canterbury.winner_party, canterbury.majority) == ("Lab", 187)
    assert canterbury.party_votes["Lab"] - canterbury.party_votes["Con"] == 187


@pytest.mark.parametrize(
    ("election", "marginals"),
    [
        ("GE2017", 132),
        ("GE2024", 174),
        # One 2019 seat had a majority of exactly 10.00%: counted, as the rule says "at most".
        ("GE2019", 103),
    ],
)
def test_labour_marginals_within_ten_percent(seeded_services, election, marginals):
    finder = seeded_services.seat_finder
    assert len(finder.index(MarginalityRule("Lab", election, 10.0))) == marginals


def test_the_threshold_includes_a_majority_equal_to_it(seeded_engine):
    with Session(seeded_engine) as session:
        at_threshold = session.exec(
            select(ElectionResult).where(
                ElectionResult.election == "GE2019", ElectionResult.majority_pct == 10.0
            )
        ).all()
    assert [
        (r.winner_party, r.runner_up_party)
        for r in at_threshold
        if "Lab" in (r.winner_party, r.runner_up_party)
    ]


def test_each_seat_is_placed_at_its_boundary_sets_reference_point(seeded_engine):
    """Orkney and Shetland kept its code in 2024: ONS's point for 2024, the interior point for 2017."""
    with Session(seeded_engine) as session:
        points = session.exec(
            select(ConstituencyPoint).where(ConstituencyPoint.ons_code == "S14000051")
        ).all()
    by_set = {p.boundary_set: (p.lat, p.lon) for p in points}
    assert by_set == {"2010": (58.992918, -3.236714), "2024": (60.505, -1.37344)}
    finder = SeatFinder(lambda: SqlUnitOfWork(seeded_engine), SimClock())
    orkney = {e: next(s for s in finder.seats(e) if s.ons_code == "S14000051") for e in ("GE2017", "GE2024")}
    assert (orkney["GE2017"].lat, orkney["GE2024"].lat) == (58.992918, 60.505)


def dump(engine):
    with engine.connect() as connection:
        return {
            name: sorted(map(tuple, connection.execute(sa.text(f"SELECT * FROM {name}")).all()), key=repr)
            for name in sorted(REFERENCE_TABLES)
        }


def test_seeding_again_changes_nothing(seeded_engine):
    before = dump(seeded_engine)
    report = seed_reference_data(seeded_engine)
    assert report.changed == 0
    assert [t.rows for t in report.tables] == [1295, 1300, 1950, 3096, 4236]
    assert dump(seeded_engine) == before


def test_seeding_corrects_a_changed_row_and_keeps_organisers_volunteer_targets(seeded_engine):
    data = read_reference_data()
    row = next(
        i for i, r in enumerate(data.results) if r["election"] == "GE2017" and r["ons_code"] == "E14000768"
    )
    wrong = replace(data, results=list(data.results))
    wrong.results[row] = {**data.results[row], "majority": 21}
    with seeded_engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE constituency SET volunteer_target = 80 WHERE ons_code = 'E14000768'")
        )
    try:
        assert seed_reference_data(seeded_engine, wrong).changed == 1
        assert seed_reference_data(seeded_engine, data).changed == 1
        with Session(seeded_engine) as session:
            assert result(session, "GE2017", "Kensington").majority == 20
            seat = session.get(Constituency, "E14000768")
            assert seat is not None and seat.volunteer_target == 80
    finally:
        with seeded_engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE constituency SET volunteer_target = 50 WHERE ons_code = 'E14000768'")
            )
