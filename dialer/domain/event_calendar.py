"""An event as an iCalendar (RFC 5545) file volunteers add to their calendars; icalendar writes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import icalendar


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str
    lat: float
    lon: float
    url: str
    stamp: datetime


def calendar_file(entry: CalendarEntry) -> bytes:
    """A one-event VCALENDAR; times are written in UTC so every calendar app agrees on them."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Marginal//Door-knocking events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", entry.stamp)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.ends_at)
    event.add("summary", entry.title)
    event.add("location", entry.location)
    event.add("geo", (entry.lat, entry.lon))
    if entry.description:
        event.add("description", entry.description)
    event.add("url", entry.url)
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
