"""Milestones a volunteer reaches: conversations had, hours called, sign-ups won."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Badge:
    key: str
    title: str


@dataclass(frozen=True)
class Milestone:
    badge: Badge
    measure: str  # "conversations", "hours" or "signups"
    at_least: float


MILESTONES = [
    Milestone(Badge("conversations-1", "First conversation"), "conversations", 1),
    Milestone(Badge("conversations-10", "10 conversations"), "conversations", 10),
    Milestone(Badge("conversations-50", "50 conversations"), "conversations", 50),
    Milestone(Badge("conversations-100", "100 conversations"), "conversations", 100),
    Milestone(Badge("hours-1", "First hour calling"), "hours", 1),
    Milestone(Badge("hours-5", "5 hours calling"), "hours", 5),
    Milestone(Badge("hours-20", "20 hours calling"), "hours", 20),
    Milestone(Badge("signups-1", "First sign-up won"), "signups", 1),
    Milestone(Badge("signups-10", "10 sign-ups won"), "signups", 10),
]


def badges_earned(*, conversations: int, hours: float, signups: int) -> list[Badge]:
    """Every badge these totals have reached, in the order of MILESTONES."""
    reached = {"conversations": conversations, "hours": hours, "signups": signups}
    return [m.badge for m in MILESTONES if reached[m.measure] >= m.at_least]
