"""A campaign's lifecycle and the ways it can dial."""

from enum import StrEnum


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class DialingMode(StrEnum):
    """Preview: the volunteer clicks to dial. Power: one line per idle seat. Predictive: dials ahead."""

    PREVIEW = "preview"
    POWER = "power"
    PREDICTIVE = "predictive"
