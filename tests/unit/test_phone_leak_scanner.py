"""The rehearsal's leak scanner finds a voter's number however it is written, and nothing else."""

from __future__ import annotations

import json

import pytest

from tests.rehearsal.leaks import LeakScanner, ways_to_write

MOBILE, LANDLINE = "+447700900123", "+442079460512"


@pytest.mark.parametrize("number", [MOBILE, LANDLINE])
def test_every_way_phonenumbers_writes_a_number_is_found(number):
    for written in ways_to_write(number):
        scanner = LeakScanner([MOBILE, LANDLINE])
        scanner.scan("html", "/page", f"<p>Call <b>{written}</b> now</p>")
        assert [leak.number for leak in scanner.leaks] == [number], written


def test_numbers_hidden_in_json_in_attributes_or_with_odd_separators_are_found():
    scanner = LeakScanner([MOBILE, LANDLINE])
    scanner.scan("socket", "voter", {"voter": {"note": "ring 07700-900-123"}})
    scanner.scan("json", "/api", json.dumps({"to": "+44 (0) 20 7946 0512"}))
    scanner.scan("html", "/page", '<a href="tel:07700.900.123">x</a>')
    scanner.scan("html", "/page", "<td>020&nbsp;7946&nbsp;0512</td>".replace("&nbsp;", "\u00a0"))
    assert [leak.number for leak in scanner.leaks] == [MOBILE, LANDLINE, MOBILE, LANDLINE]
    assert scanner.scanned == {"socket": 1, "json": 1, "html": 2}


def test_other_numbers_dates_and_ids_are_not_leaks():
    scanner = LeakScanner([MOBILE, LANDLINE])
    scanner.scan("html", "/page", "07700 900124, 020 7946 0000, 2026-06-05 20:00, call 1234567, +447700900")
    scanner.scan("socket", "seat", {"session": 7700900, "since": "2026-06-05T19:00:00+00:00"})
    assert scanner.leaks == []
    assert scanner.characters > 50


def test_watched_words_are_counted_where_they_appear():
    scanner = LeakScanner([MOBILE], watch=["Voter1", "Voter12", "Surname1"])
    scanner.scan("socket", "voter", {"voter": {"first_name": "Voter12", "last_name": None}})
    scanner.scan("html", "/call/1", "<h2>Voter1</h2> and Voter12, not Voter123")
    assert scanner.seen == {"Voter12": 2, "Voter1": 1}
