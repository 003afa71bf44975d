"""Finding voters' phone numbers in what a volunteer's browser receives, in any format a leak could take.

A number can leak as E.164 (+447700900123), internationally (+44 7700 900123), nationally (07700
900123, 020 7946 0123), as a tel: link, with dots or hyphens, or as bare digits. Every one of those
contains the number's national significant number (7700900123) once spaces and punctuation between
digits are dropped, so the scanner looks for that, in each run of digits and separators in the text.
The formats themselves come from `phonenumbers`, so the tests of this scanner feed it what a real
formatter would print.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

#: A stretch of digits that may be broken by the separators numbers are printed with.
_DIGIT_RUN = re.compile(r"\d(?:[\d \u00a0\-.()/]|\\u00a0)*\d")
_NOT_DIGIT = re.compile(r"\D")
#: National significant numbers of UK numbers are 9 or 10 digits long.
_SHORTEST = 9


def national_number(e164: str) -> str:
    """The part of a number that every way of writing it contains (7700900123 for +447700900123)."""
    return str(phonenumbers.parse(e164, None).national_number)


def ways_to_write(e164: str) -> list[str]:
    """The number as people and programs print it (for tests of the scanner, and for reports)."""
    number = phonenumbers.parse(e164, None)
    formats = phonenumbers.PhoneNumberFormat
    printed = [
        phonenumbers.format_number(number, kind)
        for kind in (formats.E164, formats.INTERNATIONAL, formats.NATIONAL, formats.RFC3966)
    ]
    digits = [_NOT_DIGIT.sub("", text) for text in printed]
    return list(dict.fromkeys(printed + digits))


@dataclass(frozen=True)
class Leak:
    where: str  # what was scanned: a page's path, a JSON reply's path, a Socket.IO event
    number: str  # the voter's number, E.164
    excerpt: str


@dataclass
class LeakScanner:
    """Scans text for any of a set of phone numbers, counting what it scanned by kind.

    `watch` words (say the voters' first and last names) are counted wherever they appear, so a
    test can show the scanner read the real conversation, and that what must stay hidden did."""

    numbers: Iterable[str]
    watch: Iterable[str] = ()
    scanned: dict[str, int] = field(default_factory=dict)
    characters: int = 0
    leaks: list[Leak] = field(default_factory=list)
    seen: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        words = sorted(set(self.watch), key=len, reverse=True)
        self._watched = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b") if words else None
        self._by_national = {national_number(e164): e164 for e164 in self.numbers}
        lengths = {len(national) for national in self._by_national}
        if lengths and min(lengths) < _SHORTEST:
            raise ValueError("only full UK numbers can be told apart from other digits")
        self._lengths = sorted(lengths)

    def scan(self, kind: str, where: str, content: str | bytes | Any) -> None:
        """Scan one page, JSON reply or Socket.IO payload (anything else is scanned as its JSON)."""
        if isinstance(content, bytes):
            text = content.decode("utf-8", errors="replace")
        elif isinstance(content, str):
            text = content
        else:
            text = json.dumps(content, ensure_ascii=False, default=str)
        self.scanned[kind] = self.scanned.get(kind, 0) + 1
        self.characters += len(text)
        if self._watched is not None:
            self.seen.update(self._watched.findall(text))
        for run in _DIGIT_RUN.finditer(text):
            digits = _NOT_DIGIT.sub("", run.group().replace("\\u00a0", " "))
            for length in self._lengths:
                for start in range(len(digits) - length + 1):
                    e164 = self._by_national.get(digits[start : start + length])
                    if e164 is not None:
                        begin = max(0, run.start() - 40)
                        self.leaks.append(Leak(where, e164, text[begin : run.end() + 40]))
