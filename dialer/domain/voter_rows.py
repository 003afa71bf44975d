"""Rows of a voter CSV: reading them faithfully, mapping columns to voter fields, checking each row.

A row is judged on its own: a bad one is reported with the line it starts on and the reason, and
never stops the good rows around it. Reasons name the field, never repeat its value: the report is
kept with the import, and a name or number copied into it would outlive the voter's erasure. The csv module does the quoting (commas and newlines inside
quoted fields); this module adds what spreadsheets get wrong in practice:

- bytes that are not in the file's encoding are kept (as lone surrogates) so the row that holds
  them can be named and rejected, instead of failing the whole file or silently mangling names;
- a quote that is never closed would swallow the rest of the file into one field, so a record
  that runs over MAX_RECORD_LINES lines is rejected and reading starts again on its next line.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from dialer.domain.phones import normalise_phone
from dialer.domain.places import normalise_postcode
from dialer.errors import InvalidInput

#: A record longer than this (in physical lines) is an unclosed quote, not a long address.
MAX_RECORD_LINES: Final = 8
#: The encodings an organiser can choose between (Excel on Windows saves "CSV" as Windows-1252).
ENCODINGS: Final = {"utf-8": "UTF-8 (also 'CSV UTF-8' from Excel)", "cp1252": "Windows-1252 (Excel 'CSV')"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    max_length: int
    aliases: tuple[str, ...]


#: The voter fields an import can fill, in the order the mapping form shows them.
FIELDS: Final = (
    Field("first_name", "First name", 80, ("firstname", "forename", "forenames", "givenname", "first")),
    Field("last_name", "Last name", 80, ("lastname", "surname", "familyname", "last")),
    Field("phone", "Phone number", 40, ("phone", "phonenumber", "telephone", "tel", "mobile", "phoneno")),
    Field("postcode", "Postcode", 10, ("postcode", "postalcode", "post_code", "zip")),
    Field("address", "Address", 200, ("address", "address1", "addressline1", "streetaddress", "street")),
    Field("area", "Area or ward", 80, ("area", "ward", "town", "locality")),
    Field("external_id", "Your reference", 64, ("id", "externalid", "voterid", "electoralnumber", "ref")),
    Field("tps", "TPS registered", 10, ("tps", "tpsregistered", "ctps", "ontps")),
    Field("do_not_call", "Do not call", 10, ("donotcall", "dnc", "optout", "optedout", "nocall")),
)
FIELD_NAMES: Final = frozenset(field.name for field in FIELDS)
_LIMITS: Final = {field.name: field for field in FIELDS}
_YES: Final = frozenset({"y", "yes", "true", "t", "1", "x", "tps", "dnc"})
_NO: Final = frozenset({"", "n", "no", "false", "f", "0"})
_SURROGATE: Final = re.compile("[\udc80-\udcff]")
_SPACES: Final = re.compile(r"\s+")
_LINE_BREAKS: Final = re.compile(r"\s*[\r\n]+\s*")


@dataclass(frozen=True)
class Record:
    """One CSV record: the (1-based) line it starts on and its raw fields."""

    line: int
    fields: list[str]


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass(frozen=True)
class VoterRow:
    """A good row, normalised: phone in E.164, postcode in Royal Mail form, flags as booleans."""

    line: int
    first_name: str
    last_name: str = ""
    phone_e164: str | None = None
    postcode: str = ""
    address: str = ""
    area: str = ""
    external_id: str = ""
    tps: bool = False
    do_not_call: bool = False

    def key(self) -> str:
        """What makes two rows the same person: the organiser's reference when the row has one, else
        name and number, else name and home. Never the number alone: a household shares a landline."""
        return person_key(
            self.external_id, self.first_name, self.last_name, self.phone_e164, self.address, self.postcode
        )

    def without_reference(self) -> tuple[str, str, str | None, str, str]:
        """The values person_key takes after the reference: name, number, address, postcode."""
        return (self.first_name, self.last_name, self.phone_e164, self.address, self.postcode)


#: How an import recognised a person, by the prefix of their key (said in the report).
KEY_KINDS: Final = {"ref": "your reference", "named-number": "name and number", "home": "name and address"}


def person_key(
    external_id: str, first_name: str, last_name: str, phone_e164: str | None, address: str, postcode: str
) -> str:
    """The key VoterRow.key gives a row with these values (and a stored voter, to find them again)."""
    if external_id:
        return f"ref:{external_id}"
    name = f"{first_name.casefold()}|{last_name.casefold()}"
    if phone_e164:
        return f"named-number:{name}|{phone_e164}"
    return f"home:{name}|{address.casefold()}|{postcode.casefold()}"


def key_kind(key: str) -> str:
    """How a key recognises a person, in the organiser's words."""
    return KEY_KINDS[key.split(":", 1)[0]]


def decode(data: bytes, encoding: str) -> str:
    """The file as text; bytes that are not `encoding` survive as lone surrogates (see module doc)."""
    if encoding not in ENCODINGS:
        raise InvalidInput(f"unknown encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}")
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    return data.decode(codec, errors="surrogateescape")


def records(text: str) -> Iterator[Record | RowProblem]:
    """Every non-blank record with its starting line, and a problem for each unreadable stretch.

    The first record is the header. A later record that spans several lines but does not have the
    header's number of fields (or runs over MAX_RECORD_LINES) is an unclosed quote that swallowed
    the lines after it: it is reported, and reading starts again on its second line.
    """
    lines = io.StringIO(text, newline="").readlines()
    width: int | None = None
    start = 0
    while start < len(lines):
        reader = csv.reader(itertools.islice(lines, start, None))
        consumed = 0
        restart: int | None = None
        try:
            for fields in reader:
                first_line = start + consumed + 1
                span = reader.line_num - consumed
                consumed = reader.line_num
                if span > 1 and width is not None and (span > MAX_RECORD_LINES or len(fields) != width):
                    yield RowProblem(
                        first_line,
                        f"a quoted field is not closed (the row ran on over {span} lines); "
                        "the lines after it were read again",
                    )
                    restart = first_line
                    break
                if fields and any(field.strip() for field in fields):
                    width = len(fields) if width is None else width
                    yield Record(first_line, fields)
        except csv.Error as exc:
            bad_line = start + reader.line_num
            yield RowProblem(bad_line, f"the row cannot be read as CSV ({exc})")
            restart = bad_line
        if restart is None:
            return
        start = restart


def read_headers(text: str) -> list[str]:
    """The header row's column names, checked to be usable for a mapping."""
    for item in records(text):
        if isinstance(item, RowProblem):
            raise InvalidInput(f"line {item.line}: the header row {item.reason}")
        headers = [_clean(name) for name in item.fields]
        if any(_SURROGATE.search(name) for name in headers):
            raise InvalidInput("the header row is not in the chosen encoding; choose another encoding")
        named = [name for name in headers if name]
        duplicates = sorted({name for name in named if named.count(name) > 1})
        if duplicates:
            raise InvalidInput(f"the header row names a column twice: {', '.join(duplicates)}")
        return headers
    raise InvalidInput("the file is empty: it needs a header row and at least one voter")


def guess_columns(headers: list[str]) -> dict[str, str]:
    """A first guess at which header holds which voter field, from common spellings."""

    def squash(name: str) -> str:
        return re.sub(r"[^a-z0-9]", "", name.casefold())

    squashed = {squash(name): name for name in headers if name}
    guess: dict[str, str] = {}
    for field in FIELDS:
        for alias in (field.name, *field.aliases):
            header = squashed.get(squash(alias))
            if header is not None and header not in guess.values():
                guess[field.name] = header
                break
    return guess


def check_columns(columns: Mapping[str, str], headers: list[str]) -> dict[str, int]:
    """Validate an organiser's mapping (field -> header); returns field -> column index."""
    unknown = sorted(set(columns) - FIELD_NAMES)
    if unknown:
        raise InvalidInput(f"unknown voter field(s): {', '.join(unknown)}")
    chosen = {field: header for field, header in columns.items() if header}
    missing = [header for header in chosen.values() if header not in headers]
    if missing:
        raise InvalidInput(f"the file has no column named {missing[0]!r}")
    if len(set(chosen.values())) != len(chosen):
        raise InvalidInput("each column can fill only one voter field")
    if "first_name" not in chosen:
        raise InvalidInput("choose the column that holds first names")
    if "phone" not in chosen and "address" not in chosen:
        raise InvalidInput("choose a phone number column, or an address column for doorstep lists")
    return {field: headers.index(header) for field, header in chosen.items()}


def parse_row(record: Record, width: int, index: Mapping[str, int]) -> VoterRow | RowProblem:
    """Check one record against the mapping; the first thing wrong with it is the reason given."""
    fields = record.fields
    line = record.line
    if len(fields) < width:
        return RowProblem(line, f"missing columns: {len(fields)} fields where the header has {width}")
    if len(fields) > width and any(field.strip() for field in fields[width:]):
        return RowProblem(line, f"{len(fields)} fields where the header has {width} (an unquoted comma?)")
    for raw in fields:
        bad = _SURROGATE.search(raw)
        if bad is not None:
            byte = ord(bad.group()) - 0xDC00
            return RowProblem(
                line,
                f"byte 0x{byte:02X} is not valid in the file's encoding; "
                "save the file as 'CSV UTF-8' or import it as Windows-1252",
            )
    values = {name: _clean(fields[column]) for name, column in index.items()}
    for name, value in values.items():
        limit = _LIMITS[name]
        if len(value) > limit.max_length:
            return RowProblem(line, f"{limit.label.lower()} is longer than {limit.max_length} characters")
    first_name = values.get("first_name", "")
    if not first_name:
        return RowProblem(line, "no first name")
    phone = values.get("phone", "")
    phone_e164: str | None = None
    if phone:
        try:
            phone_e164 = normalise_phone(phone)
        except InvalidInput:
            return RowProblem(line, "the phone number is not a valid, callable phone number")
    postcode = values.get("postcode", "")
    if postcode:
        normalised = normalise_postcode(postcode)
        if normalised is None:
            return RowProblem(line, "the postcode is not a UK postcode")
        postcode = normalised
    address = values.get("address", "")
    if phone_e164 is None and not (address and postcode):
        return RowProblem(line, "no phone number, and no address with a postcode to knock on")
    flags: dict[str, bool] = {}
    for name in ("tps", "do_not_call"):
        raw = values.get(name, "").casefold()
        if raw in _YES:
            flags[name] = True
        elif raw in _NO:
            flags[name] = False
        else:
            return RowProblem(line, f"{_LIMITS[name].label} value {values[name]!r} is not yes or no")
    return VoterRow(
        line=line,
        first_name=first_name,
        last_name=values.get("last_name", ""),
        phone_e164=phone_e164,
        postcode=postcode,
        address=address,
        area=values.get("area", ""),
        external_id=values.get("external_id", ""),
        tps=flags["tps"],
        do_not_call=flags["do_not_call"],
    )


def _clean(value: str) -> str:
    """Line breaks inside a quoted field (multi-line addresses) become ', '; other runs of space one."""
    return _SPACES.sub(" ", _LINE_BREAKS.sub(", ", value.strip())).strip()
