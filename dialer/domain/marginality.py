"""Which seats are marginal for a party: the rule campaigns use to choose where volunteers go.

A seat is marginal for the target party when the party won it (it is *defending*) or came second
(it is *challenging*), and the winner's majority is at most the threshold, as a percentage of the
valid votes cast.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from dialer.domain.elections import DEFAULT_ELECTION, Election, election_named
from dialer.errors import InvalidInput

DEFAULT_PARTY = "Lab"
DEFAULT_THRESHOLD_PCT = 10.0
_PARTY_CODE = re.compile(r"[A-Za-z]{1,10}")


class Standing(StrEnum):
    DEFENDING = "defending"  # the target party holds the seat
    CHALLENGING = "challenging"  # the target party came second


@dataclass(frozen=True, slots=True)
class MarginalityRule:
    """Target party, election and majority threshold (per cent of valid votes), validated."""

    party: str = DEFAULT_PARTY
    election: str = DEFAULT_ELECTION
    threshold_pct: float = DEFAULT_THRESHOLD_PCT

    def __post_init__(self) -> None:
        if not _PARTY_CODE.fullmatch(self.party):
            raise InvalidInput("party must be a party code such as Lab, Con, LD, SNP, Green or RUK")
        if not (math.isfinite(self.threshold_pct) and 0 <= self.threshold_pct <= 100):
            raise InvalidInput("threshold must be a percentage between 0 and 100")
        object.__setattr__(self, "election", election_named(self.election).code)

    @property
    def for_election(self) -> Election:
        return election_named(self.election)

    def standing(self, winner: str, runner_up: str) -> Standing | None:
        """Whether the target party defends or challenges a seat; None when it is neither 1st nor 2nd."""
        if winner == self.party:
            return Standing.DEFENDING
        if runner_up == self.party:
            return Standing.CHALLENGING
        return None

    def is_marginal(self, winner: str, runner_up: str, majority_pct: float) -> bool:
        return self.standing(winner, runner_up) is not None and majority_pct <= self.threshold_pct
