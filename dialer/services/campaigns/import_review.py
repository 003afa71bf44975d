"""Reviewing a voter import: the first rows as a column mapping would read them, before anything is
written, and afterwards the rows the import reported, a page at a time, by reason, or as a CSV.

The preview reads the kept upload with the import's own row rules (dialer.domain.voter_rows), so
what it shows is what the import will do. The report is the import's stored problems (line, kind,
reason); reasons name the field at fault, never its value, so the list is safe to keep and share.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from dialer.domain import voter_rows
from dialer.domain.voter_rows import FIELDS, Record, RowProblem, VoterRow
from dialer.errors import InvalidInput, NotFound
from dialer.models import VoterImport, VoterImportFile
from dialer.ports import UnitOfWork

PREVIEW_ROWS: Final = 10
PAGE_ROWS: Final = 50
#: How a reported row is described in words, by its kind.
KIND_LABELS: Final = {"error": "rejected", "duplicate": "merged"}
_LINE_NUMBER: Final = re.compile(r"\bline \d+")


@dataclass(frozen=True)
class PreviewRow:
    line: int
    values: tuple[str, ...]  # one per previewed field, as the import would store it
    problem: str | None  # why the import would reject the row, or None


@dataclass(frozen=True)
class Preview:
    labels: tuple[str, ...]  # the voter fields the mapping fills, in the form's order
    rows: tuple[PreviewRow, ...]
    problem: str | None = None  # why the mapping itself cannot be used


def preview(
    uow: UnitOfWork, import_id: int, columns: Mapping[str, str], *, limit: int = PREVIEW_ROWS
) -> Preview:
    """The first `limit` rows of a kept upload as `columns` (field -> header) would map them."""
    with uow:
        row = uow.session.get(VoterImport, import_id)
        upload = uow.session.get(VoterImportFile, import_id)
        if row is None or upload is None:
            raise NotFound("no such upload (an import keeps its file only until it has run)")
        data, encoding, headers = upload.content, row.encoding, list(row.headers)
    chosen = {field: header for field, header in columns.items() if header}
    fields = [field for field in FIELDS if field.name in chosen]
    labels = tuple(field.label for field in fields)
    try:
        index = voter_rows.check_columns(chosen, headers)
    except InvalidInput as exc:
        return Preview(labels, (), str(exc))
    rows: list[PreviewRow] = []
    records = voter_rows.records(voter_rows.decode(data, encoding))
    next(records, None)  # the header
    for item in records:
        if len(rows) == limit:
            break
        parsed = voter_rows.parse_row(item, len(headers), index) if isinstance(item, Record) else item
        rows.append(_preview_row(parsed, item, [field.name for field in fields], index))
    return Preview(labels, tuple(rows))


def _preview_row(
    parsed: VoterRow | RowProblem, item: Record | RowProblem, names: Sequence[str], index: Mapping[str, int]
) -> PreviewRow:
    if isinstance(parsed, VoterRow):
        stored: dict[str, Any] = {
            "first_name": parsed.first_name, "last_name": parsed.last_name, "phone": parsed.phone_e164,
            "postcode": parsed.postcode, "address": parsed.address, "area": parsed.area,
            "external_id": parsed.external_id, "tps": parsed.tps, "do_not_call": parsed.do_not_call,
        }  # fmt: skip
        return PreviewRow(parsed.line, tuple(_shown(stored[name]) for name in names), None)
    raw = item.fields if isinstance(item, Record) else []
    values = tuple(raw[index[name]] if index[name] < len(raw) else "" for name in names)
    return PreviewRow(parsed.line, values, parsed.reason)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    kind: str  # error (rejected) or duplicate (merged)
    reason: str

    @property
    def what(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class ProblemPage:
    problems: tuple[Problem, ...]
    total: int  # reported rows matching the filter
    page: int
    pages: int
    reason: str | None  # the filter, a reason group, or None for every row
    reasons: tuple[tuple[str, int], ...]  # every reason group with its count, commonest first

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_ROWS + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * PAGE_ROWS, self.total)


def reason_group(reason: str) -> str:
    """A reason without the line it points at ("same voter as line 12" and "... line 40" are one
    reason to filter by)."""
    return _LINE_NUMBER.sub("another line", reason)


def problems(row: VoterImport, reason: str | None = None) -> list[Problem]:
    """The import's reported rows in line order, only those of one reason group when given."""
    found = (Problem(int(p["line"]), str(p["kind"]), str(p["reason"])) for p in row.errors)
    chosen = [p for p in found if reason is None or reason_group(p.reason) == reason]
    return sorted(chosen, key=lambda problem: problem.line)


def problem_page(row: VoterImport, *, reason: str | None = None, page: int = 1) -> ProblemPage:
    """One page of the reported rows (PAGE_ROWS a page), filtered by a reason group."""
    counts = Counter(reason_group(str(p["reason"])) for p in row.errors)
    if reason is not None and reason not in counts:
        reason = None
    chosen = problems(row, reason)
    pages = max(1, math.ceil(len(chosen) / PAGE_ROWS))
    page = min(max(page, 1), pages)
    shown = tuple(chosen[(page - 1) * PAGE_ROWS : page * PAGE_ROWS])
    return ProblemPage(shown, len(chosen), page, pages, reason, tuple(counts.most_common()))


def problem_rows(row: VoterImport, reason: str | None = None) -> Iterator[list[Any]]:
    """The reported rows as CSV rows (header first): the file's line, what happened, and why."""
    yield ["line", "what", "reason"]
    for problem in problems(row, reason):
        yield [problem.line, problem.what, problem.reason]
