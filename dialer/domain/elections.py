"""The general elections Marginal knows, and which constituency boundaries each was fought on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dialer.errors import InvalidInput


class BoundarySet(StrEnum):
    """The two sets of 650 Westminster seats: seats of different sets cannot be matched by code."""

    REVIEW_2010 = "2010"  # used at GE2010, GE2015, GE2017 and GE2019
    REVIEW_2023 = "2024"  # used from GE2024


@dataclass(frozen=True, slots=True)
class Election:
    code: str
    held_on: date
    boundary_set: BoundarySet


ELECTIONS: dict[str, Election] = {
    election.code: election
    for election in (
        Election("GE2017", date(2017, 6, 8), BoundarySet.REVIEW_2010),
        Election("GE2019", date(2019, 12, 12), BoundarySet.REVIEW_2010),
        Election("GE2024", date(2024, 7, 4), BoundarySet.REVIEW_2023),
    )
}
#: The election campaigns target by default: the most recent one.
DEFAULT_ELECTION = "GE2024"


def election_named(code: str) -> Election:
    """The election with this code (case-insensitive), or InvalidInput naming the choices."""
    election = ELECTIONS.get(code.strip().upper())
    if election is None:
        choices = ", ".join(ELECTIONS)
        shown = code if len(code) <= 12 and code.isprintable() else "that"
        raise InvalidInput(f"unknown election '{shown}': choose one of {choices}")
    return election
