"""UK postcodes as volunteers type them: normalised, validated, and refused with a reason.

A postcode is an outward code (the district, e.g. "SW1A" or "BS1") and usually an inward code
("1AA"). Volunteers may give either a full postcode or just the district. Formats follow Royal
Mail's rules; whether a district actually exists is for the gazetteer (the seeded data) to say.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from dialer.errors import InvalidInput

#: The longest a postcode gets without its space ("SW1A1AA" is 7; "BFPO1234" needs 8 to recognise).
_MAX_COMPACT_LENGTH = 8
#: Inputs up to this length are quoted back in messages; longer ones are only described.
_MAX_ECHO_LENGTH = 12

# Royal Mail: the first letter is never Q, V or X; the second never I, J or Z; the inward code's
# two letters are never C, I, K, M, O or V. The third/fourth-character letter rules have exceptions
# in current use (e.g. "N1C", "E1W"), so the district table, not this pattern, has the last word.
_AREA = "[ABCDEFGHIJKLMNOPRSTUWYZ][ABCDEFGHKLMNOPQRSTUVWXY]?"
_OUTWARD = re.compile(rf"{_AREA}[0-9][0-9A-Z]?")
_INWARD = re.compile("[0-9][ABDEFGHJLNPQRSTUWXYZ]{2}")
_FULL = re.compile(rf"(?P<outward>{_AREA}[0-9][0-9A-Z]?)(?P<inward>[0-9][ABDEFGHJLNPQRSTUWXYZ]{{2}})")
_PARTIAL_INWARD = re.compile("[0-9][ABDEFGHJLNPQRSTUWXYZ]?")
_BFPO = re.compile(r"BFPO[0-9]{1,4}|BF1[0-9][A-Z]{2}|BF1")

#: Postcode-style codes of British Overseas Territories (outside the UK's constituencies).
_OVERSEAS_TERRITORIES = {
    "ASCN": "Ascension Island",
    "BBND": "the British Antarctic Territory",
    "BIQQ": "the British Antarctic Territory",
    "FIQQ": "the Falkland Islands",
    "GX11": "Gibraltar",
    "PCRN": "the Pitcairn Islands",
    "SIQQ": "South Georgia and the South Sandwich Islands",
    "STHL": "St Helena",
    "TDCU": "Tristan da Cunha",
    "TKCA": "the Turks and Caicos Islands",
}
#: Crown dependencies use UK-format postcodes but elect no MPs to Westminster.
_CROWN_DEPENDENCIES = {"GY": "Guernsey", "JE": "Jersey", "IM": "the Isle of Man"}
#: Postcode areas of the Crown dependencies (postcode files such as the ONSPD include them).
CROWN_DEPENDENCY_AREAS = frozenset(_CROWN_DEPENDENCIES)
#: Postcodes that are valid but belong to no place a volunteer could be.
_NON_GEOGRAPHIC = {
    "GIR0AA": "GIR 0AA is the Girobank's non-geographic postcode",
    "XM45HQ": "XM4 5HQ is Father Christmas's postcode (Royal Mail's letters-to-Santa address)",
}


class InvalidPostcode(InvalidInput):
    """Text that is not a postcode a volunteer can be located by; the message says why."""


class UnknownPostcode(InvalidPostcode):
    """A well-formed postcode whose district is not in the gazetteer (or is no longer used)."""


class Precision(StrEnum):
    """How exactly a volunteer was located: their own postcode, or the centre of its district."""

    POSTCODE = "postcode"
    DISTRICT = "district"


@dataclass(frozen=True, slots=True)
class PostcodeQuery:
    """A well-formed postcode ("SW1A 1AA") or postcode district ("SW1A"), normalised."""

    outward: str
    inward: str | None = None

    @property
    def text(self) -> str:
        return f"{self.outward} {self.inward}" if self.inward else self.outward

    @property
    def is_district_only(self) -> bool:
        return self.inward is None

    @property
    def area(self) -> str:
        """The letters before the district number ("SW" for SW1A)."""
        return self.outward[:2] if self.outward[1:2].isalpha() else self.outward[:1]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a volunteer is, as well as their postcode tells us."""

    query: PostcodeQuery
    lat: float
    lon: float
    precision: Precision
    #: The seat containing the point, by boundary set ("2010", "2024"), when known.
    seats: tuple[tuple[str, str], ...] = ()
    non_geographic: bool = False

    def seat_in(self, boundary_set: str) -> str | None:
        return next((code for bset, code in self.seats if bset == boundary_set), None)


EXAMPLE = "e.g. SW1A 1AA, or a postcode district such as BS1"


def parse_postcode(raw: str) -> PostcodeQuery:
    """Normalise case, spacing and width, then validate; raise InvalidPostcode saying what is wrong."""
    text = unicodedata.normalize("NFKC", raw)
    tokens = text.upper().split()
    compact = "".join(tokens)
    if not compact:
        raise InvalidPostcode(f"enter a postcode ({EXAMPLE})")
    if len(compact) > _MAX_COMPACT_LENGTH:
        raise InvalidPostcode(
            f"not a UK postcode: {_quoted(text)} is too long (a postcode has at most 7 letters and digits)"
        )
    _refuse_non_geographic(compact)
    query = _split(tokens, compact)
    dependency = _CROWN_DEPENDENCIES.get(query.area)
    if dependency is not None:
        raise InvalidPostcode(
            f"{query.text} is in {dependency}, which elects no MPs to Westminster: "
            "enter a postcode in England, Scotland, Wales or Northern Ireland"
        )
    return query


def _refuse_non_geographic(compact: str) -> None:
    if compact in _NON_GEOGRAPHIC:
        raise InvalidPostcode(
            f"{_NON_GEOGRAPHIC[compact]}: it is not a place. Enter the postcode where you live or stay"
        )
    if _BFPO.fullmatch(compact):
        raise InvalidPostcode(
            "BFPO (British Forces Post Office) addresses are not geographic: "
            "enter the postcode of where you are in the UK"
        )
    territory = _OVERSEAS_TERRITORIES.get(compact[:4])
    if territory is not None:
        raise InvalidPostcode(f"{compact[:4]} is a postcode of {territory}, which has no UK Parliament seats")


def _split(tokens: list[str], compact: str) -> PostcodeQuery:
    """Outward and inward parts; a space the volunteer typed is respected ("BS1 4" is not BS14)."""
    if len(tokens) == 2:
        outward, inward = tokens
        if _OUTWARD.fullmatch(outward) and _INWARD.fullmatch(inward):
            return PostcodeQuery(outward, inward)
        if _OUTWARD.fullmatch(outward) and _PARTIAL_INWARD.fullmatch(inward):
            raise InvalidPostcode(
                f"{_quoted(outward + ' ' + inward)} is incomplete: give the whole postcode (e.g. {outward} 1AA) "
                f"or just the district ({outward})"
            )
    else:
        full = _FULL.fullmatch(compact)
        if full:
            return PostcodeQuery(full["outward"], full["inward"])
        if _OUTWARD.fullmatch(compact):
            return PostcodeQuery(compact)
    raise InvalidPostcode(f"not a UK postcode: {_quoted(' '.join(tokens))} ({EXAMPLE})")


def _quoted(text: str) -> str:
    """The input, safe and short enough to repeat back to the person who typed it."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in text.strip())
    if len(shown) > _MAX_ECHO_LENGTH:
        return f"the {len(text):,}-character input"
    return f"'{shown}'"
