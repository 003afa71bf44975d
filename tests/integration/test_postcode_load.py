"""`dialer postcodes load FILE`: a postcode file with bad rows is loaded, its bad rows reported by
line, and each loaded postcode is then placed at its own point instead of its district's centre."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine.url import make_url
from sqlmodel import Session, func, select

from dialer.adapters import db
from dialer.adapters.postcode_loader import load_postcodes
from dialer.cli import main
from dialer.clock import SimClock
from dialer.domain.postcodes import Precision
from dialer.models import Postcode
from dialer.services.geography.gazetteer import Gazetteer
from dialer.services.geography.seat_finder import FindSeats, SeatFinder
from tests.conftest import drop_everything
from tests.parallel_workers import WORKER_DATABASE_URL, ensure_database

pytestmark = pytest.mark.integration

ONSPD_WITH_BAD_ROWS = Path(__file__).resolve().parents[1] / "fixtures" / "postcodes_onspd_bad_rows.csv"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A database migrated and seeded by the commands an organisation runs, shared by this module
    (on PostgreSQL when the suite runs there: a database of its own, emptied first)."""
    folder = tmp_path_factory.mktemp("postcodes")
    url = f"sqlite:///{folder / 'marginal.db'}"
    if WORKER_DATABASE_URL:
        given = make_url(WORKER_DATABASE_URL)
        url = given.set(database=f"{given.database}_postcodes").render_as_string(hide_password=False)
        ensure_database(url)
        engine = db.make_engine(url)
        drop_everything(engine)
        engine.dispose()
    environment = {"INSTANCE_PATH": str(folder), "DATABASE_URL": url}
    for command in (["db", "upgrade"], ["seed"]):
        result = CliRunner().invoke(main, command, env=environment)
        assert result.exit_code == 0, result.output
    return environment


@pytest.fixture
def dialer(seeded, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)

    def run(*args):
        return CliRunner().invoke(main, list(args), env=seeded)

    return run


@pytest.fixture
def database(seeded):
    engine = db.make_engine(seeded["DATABASE_URL"])
    yield engine
    engine.dispose()


def gazetteer(engine, **options):
    with Session(engine) as session:
        held = session.exec(select(func.count()).select_from(Postcode)).one()
        return Gazetteer.load(session, **options), held


def nearest_marginals(engine, postcode):
    """Where the nearest-marginal finder (the marginals page's look-up) places the postcode."""
    found = SeatFinder(lambda: db.SqlUnitOfWork(engine), SimClock()).find(FindSeats(postcode))
    assert found.home_seat is not None
    return found.location.precision, found.location.lat, found.location.lon, found.home_seat.ons_code


def test_a_file_with_bad_rows_is_reported_by_line_and_sw1a_1aa_is_then_placed_at_its_own_point(
    dialer, database
):
    before, _ = gazetteer(database)
    assert before.locate("SW1A 1AA").precision is Precision.DISTRICT  # the shipped default

    result = dialer("postcodes", "load", str(ONSPD_WITH_BAD_ROWS))

    assert result.exit_code == 1, result.output
    reported = [line for line in result.output.splitlines() if line.startswith(ONSPD_WITH_BAD_ROWS.name)]
    assert reported == [
        f"{ONSPD_WITH_BAD_ROWS.name}, line 4: latitude 'north' is not a number",
        f"{ONSPD_WITH_BAD_ROWS.name}, line 5: not a UK postcode: 'NOTAPC' (e.g. SW1A 1AA, or a postcode district such as BS1)",
        f"{ONSPD_WITH_BAD_ROWS.name}, line 8: constituency E14009999 is not a Westminster seat we hold",
        f"{ONSPD_WITH_BAD_ROWS.name}, line 9: SW1A 2AE at 40.0, -0.12767 is not in the UK (latitude, longitude in degrees)",
        f"{ONSPD_WITH_BAD_ROWS.name}, line 12: no longitude",
    ]
    assert (
        "11 rows read, 3 postcodes loaded, 1 terminated postcodes skipped, 1 postcodes with no grid reference "
        "skipped, 1 postcodes in the Crown dependencies skipped, 5 bad rows" in result.output
    )

    after, _ = gazetteer(database)
    palace = after.locate("sw1a1aa")
    assert (palace.precision, palace.lat, palace.lon) == (Precision.POSTCODE, 51.501009, -0.141588)
    assert palace.seat_in("2024") == "E14001172"  # Cities of London and Westminster
    assert after.locate("BT1 1AA").seat_in("2024") == "N05000003"
    assert nearest_marginals(database, "SW1A 1AA") == (Precision.POSTCODE, 51.501009, -0.141588, "E14001172")
    neighbour = after.locate("SW1A 1AB")  # terminated, so not loaded: still the district's centre
    assert (neighbour.precision, neighbour.lat, neighbour.lon) == (Precision.DISTRICT, 51.502, -0.133833)


def test_loading_the_same_file_again_changes_nothing_and_a_whole_directory_is_looked_up_in_sql(
    dialer, database
):
    dialer("postcodes", "load", str(ONSPD_WITH_BAD_ROWS))
    _, held = gazetteer(database)
    again = dialer("postcodes", "load", str(ONSPD_WITH_BAD_ROWS))
    assert "3 postcodes loaded" in again.output
    in_sql, held_again = gazetteer(database, in_memory=100)  # more postcodes than it may hold
    assert held_again == held and in_sql.postcodes == {}
    palace = in_sql.locate("SW1A 1AA")
    assert (palace.precision, palace.lat, palace.lon) == (Precision.POSTCODE, 51.501009, -0.141588)
    assert in_sql.locate("SW1A 2AB").precision is Precision.DISTRICT


def test_a_simple_file_puts_each_code_under_its_own_boundary_set(dialer, database, tmp_path):
    dialer("postcodes", "load", str(ONSPD_WITH_BAD_ROWS))
    simple = tmp_path / "postcodes.csv"
    simple.write_text(
        "postcode,latitude,longitude,constituency\n"
        "SW1A 2AA,51.503541,-0.12767,E14000639\n"  # the 2010 boundaries' Cities of London and Westminster
        "SW1A 0AA,51.499840,-0.124663,\n"
    )
    result = dialer("postcodes", "load", str(simple))
    assert result.exit_code == 0, result.output
    assert "2 rows read, 2 postcodes loaded, 0 bad rows" in result.output
    loaded, _ = gazetteer(database)
    downing_street = loaded.locate("SW1A 2AA")
    assert downing_street.seat_in("2010") == "E14000639"
    assert downing_street.seat_in("2024") == "E14001172"  # kept from the ONSPD's row
    assert loaded.locate("SW1A 0AA").precision is Precision.POSTCODE


def test_a_file_that_is_not_a_postcode_file_is_refused_in_one_line(dialer, tmp_path):
    voters = tmp_path / "voters.csv"
    voters.write_text("first_name,phone\nAnn,07700900001\n")
    result = dialer("postcodes", "load", str(voters))
    assert result.exit_code == 2
    assert "not a postcode file we can read" in result.output and "Traceback" not in result.output


def test_a_long_load_reports_its_progress_as_it_goes(database, tmp_path):
    many = tmp_path / "many.csv"
    many.write_text(
        "postcode,latitude,longitude\n"
        + "".join(f"SW1P {n}AA,51.49,-0.13\n" for n in range(1, 10))
        + "SW1P 1AB,x,y\n"
    )
    seen = []
    done = load_postcodes(
        database,
        many,
        progress=lambda so_far: seen.append((so_far.rows, so_far.loaded)),
        progress_every=4,
        batch=3,
    )
    assert seen == [(4, 3), (8, 6)]  # written a batch at a time, reported every 4 rows read
    assert (done.rows, done.loaded, done.error_count) == (10, 9, 1)
    assert done.errors[0].line == 11
