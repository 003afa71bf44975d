"""Which phone bank needs a volunteer most right now: the live shortfall.

    shortfall = voters_left x closeness / (1 + volunteers_calling)

`voters_left` are the voters the phone bank may still call; `closeness` is its closest target
seat's, as in the "needs you most" score (dialer.domain.need); dividing by the volunteers calling
shares the work out among them. The 1 is the volunteer about to join: it keeps a phone bank nobody
is calling finite, and makes the figure the share of the work each caller would have with them in.
Ties go to the bank with more voters left, then to the older (lower id) bank, so the choice is stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PhoneBankNeed:
    campaign_id: int
    voters_left: int
    closeness: float
    volunteers_calling: int

    @property
    def shortfall(self) -> float:
        return self.voters_left * self.closeness / (1 + self.volunteers_calling)


def neediest(banks: Iterable[PhoneBankNeed]) -> PhoneBankNeed | None:
    """The bank with the largest shortfall, or None when no bank has any voter left to call."""
    candidates = [bank for bank in banks if bank.voters_left > 0]
    if not candidates:
        return None
    return max(candidates, key=lambda bank: (bank.shortfall, bank.voters_left, -bank.campaign_id))
