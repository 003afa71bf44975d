"""How parties are named and coloured on the volunteer's pages (colours live in site.css)."""

from __future__ import annotations

PARTY_NAMES = {
    "Lab": "Labour",
    "Con": "Conservative",
    "LD": "Liberal Democrats",
    "SNP": "SNP",
    "PC": "Plaid Cymru",
    "Green": "Green",
    "RUK": "Reform UK",
    "BRX": "Brexit Party",
    "UKIP": "UKIP",
    "DUP": "DUP",
    "SF": "Sinn Féin",
    "SDLP": "SDLP",
    "UUP": "UUP",
    "APNI": "Alliance",
    "TUV": "TUV",
    "Spk": "the Speaker",
    "Ind": "Independent",
    "WPB": "Workers Party",
    "INet": "Independent Network",
    "PBPA": "People Before Profit",
    "Ash": "Ashfield Independents",
    "BSJP": "Birkenhead Social Justice",
    "NIP": "Northern Ireland Party",
    "NHA": "National Health Action",
}
#: Parties with a colour of their own in site.css; the rest share a neutral grey.
COLOURED = frozenset(
    {
        "Lab",
        "Con",
        "LD",
        "SNP",
        "PC",
        "Green",
        "RUK",
        "BRX",
        "UKIP",
        "DUP",
        "SF",
        "SDLP",
        "UUP",
        "APNI",
        "TUV",
        "Ind",
        "Spk",
        "WPB",
    }
)


def party_name(code: str) -> str:
    return PARTY_NAMES.get(code, code)


def party_class(code: str) -> str:
    """A CSS class suffix for the party's colour."""
    return code if code in COLOURED else "other"
