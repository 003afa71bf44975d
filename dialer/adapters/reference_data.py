"""The real data shipped in data/: election results and geography, read and checked into table rows.

Each reader returns plain dicts keyed by column name, ready for a bulk upsert. The files are
checked as they are read (650 seats per election, every result's seat has a reference point,
numbers parse), so a damaged file stops `dialer seed` with the file and row at fault.
See data/SOURCES.md for where each file comes from.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialer.domain.elections import ELECTIONS, BoundarySet
from dialer.errors import DialerError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SEATS_PER_ELECTION = 650

RESULT_FILES = {
    "GE2017": "ge2017_results.csv",
    "GE2019": "ge2019_results.csv",
    "GE2024": "ge2024_results.csv",
}
POINT_FILES = {
    BoundarySet.REVIEW_2010: "constituency_centroids_2010_boundaries.csv",
    BoundarySet.REVIEW_2023: "constituency_centroids_2024_boundaries.csv",
}
#: The columns holding each boundary set's reference point (see data/SOURCES.md, files 4 and 5):
#: ONS's own point for 2024; for 2010, the interior point, which always lies inside the seat.
REFERENCE_POINT_COLUMNS = {
    BoundarySet.REVIEW_2010: ("interior_point_lat", "interior_point_lon"),
    BoundarySet.REVIEW_2023: ("ons_lat", "ons_lon"),
}
DISTRICTS_FILE = "postcode_districts.csv"
DISTRICT_SEATS_FILE = "postcode_district_to_constituency.csv"
POSTCODES_FILE = "postcodes_sample_onspd.csv"

#: `votes_<column>` suffixes and the party codes the results use for them.
PARTY_COLUMNS = {
    "con": "Con",
    "lab": "Lab",
    "ld": "LD",
    "ukip": "UKIP",
    "brx": "BRX",
    "ruk": "RUK",
    "green": "Green",
    "snp": "SNP",
    "pc": "PC",
    "dup": "DUP",
    "sf": "SF",
    "sdlp": "SDLP",
    "uup": "UUP",
    "apni": "APNI",
    "other": "Other",
}


class ReferenceDataError(DialerError):
    """A data file is missing or does not hold what it should; the message names file and row."""


@dataclass(frozen=True)
class ReferenceData:
    """Every row `dialer seed` writes, by table."""

    constituencies: list[dict[str, Any]]
    points: list[dict[str, Any]]
    results: list[dict[str, Any]]
    districts: list[dict[str, Any]]
    postcodes: list[dict[str, Any]]


def read_reference_data(data_dir: Path = DATA_DIR) -> ReferenceData:
    elections = {code: read_results(data_dir, code) for code in RESULT_FILES}
    seats: dict[str, dict[str, Any]] = {}
    points: list[dict[str, Any]] = []
    for boundary_set in BoundarySet:  # oldest first: a seat in both sets is described by the newer
        latest = [code for code, e in ELECTIONS.items() if e.boundary_set is boundary_set][-1]
        for seat in read_constituencies(data_dir, boundary_set, elections[latest].labels):
            seats[seat["ons_code"]] = seat
            points.append({key: seat[key] for key in ("boundary_set", "ons_code", "lat", "lon")})
    for code, election in elections.items():
        in_set = {p["ons_code"] for p in points if p["boundary_set"] == ELECTIONS[code].boundary_set}
        missing = sorted(election.labels.keys() - in_set)
        if missing:
            raise ReferenceDataError(f"{RESULT_FILES[code]}: no reference point for seats {missing[:5]}")
    return ReferenceData(
        constituencies=list(seats.values()),
        points=points,
        results=[row for election in elections.values() for row in election.rows],
        districts=read_districts(data_dir),
        postcodes=read_postcodes(data_dir),
    )


@dataclass(frozen=True)
class ElectionFile:
    rows: list[dict[str, Any]]
    #: Each seat's (name, country, region) as the House of Commons Library publishes them.
    labels: dict[str, tuple[str, str, str]]


def read_results(data_dir: Path, election: str) -> ElectionFile:
    """One general election's results, one row per seat."""
    name = RESULT_FILES[election]
    labels: dict[str, tuple[str, str, str]] = {}

    def result(row: dict[str, str]) -> dict[str, Any]:
        labels[row["ons_code"]] = (row["constituency_name"], row["country_name"], row["region_name"])
        return {
            "election": election,
            "ons_code": row["ons_code"],
            "result": row["result"],
            "winner_party": row["winner_party"],
            "runner_up_party": row["runner_up_party"],
            "winner_votes": int(row["winner_votes"]),
            "runner_up_votes": int(row["runner_up_votes"]),
            "majority": int(row["majority"]),
            "majority_pct": float(row["majority_pct"]),
            "electorate": int(row["electorate"]),
            "valid_votes": int(row["valid_votes"]),
            "turnout_pct": float(row["turnout_pct"]),
            "party_votes": {
                party: int(row[f"votes_{suffix}"])
                for suffix, party in PARTY_COLUMNS.items()
                if row.get(f"votes_{suffix}") not in (None, "", "0")
            },
        }

    rows = _read(data_dir / name, result)
    if len(labels) != SEATS_PER_ELECTION or len(rows) != SEATS_PER_ELECTION:
        raise ReferenceDataError(f"{name}: expected {SEATS_PER_ELECTION} distinct seats, found {len(labels)}")
    return ElectionFile(rows, labels)


def read_constituencies(
    data_dir: Path, boundary_set: BoundarySet, labels: dict[str, tuple[str, str, str]]
) -> list[dict[str, Any]]:
    """The seats of one boundary set, named as the House of Commons Library names them."""
    lat_column, lon_column = REFERENCE_POINT_COLUMNS[boundary_set]
    name = POINT_FILES[boundary_set]

    def seat(row: dict[str, str]) -> dict[str, Any]:
        seat_name, country, region = labels.get(
            row["ons_code"], (row["constituency_name"], row["country_name"], "")
        )
        return {
            "ons_code": row["ons_code"],
            "name": seat_name,
            "country": country,
            "region": region,
            "boundary_set": boundary_set.value,
            "lat": float(row[lat_column]),
            "lon": float(row[lon_column]),
            "area_km2": float(row["area_km2"]),
        }

    seats = _read(data_dir / name, seat)
    if len(seats) != SEATS_PER_ELECTION:
        raise ReferenceDataError(f"{name}: expected {SEATS_PER_ELECTION} seats, found {len(seats)}")
    return seats


def read_districts(data_dir: Path) -> list[dict[str, Any]]:
    """Every postcode district with its centroid, status, and the seats containing that centroid."""
    seats = {row["outcode"]: row for row in _read(data_dir / DISTRICT_SEATS_FILE, dict)}

    def district(row: dict[str, str]) -> dict[str, Any]:
        mapped = seats.get(row["outcode"], {})
        return {
            "outcode": row["outcode"],
            "lat": float(row["latitude"]),
            "lon": float(row["longitude"]),
            "post_town": (row["post_town"] or row["town_area"].split(",")[0])[:60],
            "local_authority": row["local_authority"][:80],
            "is_active": row["is_active"] == "1",
            "non_geographic": row["town_area"] == "Non-geographic",
            "pcon_2010_code": mapped.get("pcon_2010_code") or None,
            "pcon_2024_code": mapped.get("pcon_2024_code") or None,
        }

    return _read(data_dir / DISTRICTS_FILE, district)


def read_postcodes(data_dir: Path) -> list[dict[str, Any]]:
    """The sample of full postcodes with exact coordinates."""

    def postcode(row: dict[str, str]) -> dict[str, Any]:
        return {
            "postcode": row["postcode"],
            "outcode": row["outcode"],
            "lat": float(row["latitude"]),
            "lon": float(row["longitude"]),
            "pcon_2010_code": row["pcon_2010_code"] or None,
            "pcon_2024_code": row["pcon_2024_code"] or None,
        }

    return _read(data_dir / POSTCODES_FILE, postcode)


def _read(path: Path, convert: Callable[[dict[str, str]], dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row of a CSV file, converted; a missing file or a bad value names the file and line."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise ReferenceDataError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            return [convert(row) for row in reader]
        except (KeyError, ValueError, csv.Error) as exc:
            raise ReferenceDataError(f"{path.name}, line {reader.line_num}: {exc!r}") from None
