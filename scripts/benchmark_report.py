"""docs/BENCHMARKS.md's sections: each benchmark script owns the text between its two markers."""

from __future__ import annotations

from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"


def write_section(begin: str, end: str, text: str, report: Path = REPORT) -> None:
    """Replace the section between `begin` and `end` with `text`, or append it; leave the rest alone."""
    report.parent.mkdir(parents=True, exist_ok=True)
    current = report.read_text(encoding="utf-8") if report.exists() else "# Benchmarks\n"
    section = f"{begin}\n{text.strip()}\n{end}"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        current = head + section + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    report.write_text(current, encoding="utf-8")
