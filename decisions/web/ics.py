"""Deadlines as iCalendar events (RFC 5545): the ``.ics`` attached to the e-mail of a round
that opens, and the entries of a person's calendar feed.

Written with the ``icalendar`` library, which folds long lines, escapes text and writes
times in UTC as the standard wants; its output is read back by the same library in tests.
Events are transparent (a deadline does not make anyone busy), and an event with no end is
a moment (RFC 5545 3.6.1: no DTEND means the event takes no time).

``icalendar`` is imported when a calendar is written, not with the application (some
8 MiB that a web worker serving ballots does not need).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODUCT = "-//decisions//deadlines//EN"


@dataclass(frozen=True, slots=True)
class DeadlineEntry:
    """One deadline: ``uid`` stays the same for the same round (so that a calendar updates
    the event instead of adding one), times are UTC-aware, ``ends_at`` ``None`` for a
    moment; ``stamp`` is when the entry was made or last changed (``starts_at`` when not
    given), ``sequence`` how many times it changed (a deadline extended)."""

    uid: str
    title: str
    starts_at: datetime
    url: str
    description: str = ""
    ends_at: datetime | None = None
    stamp: datetime | None = None
    sequence: int = 0


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("deadlines are given in UTC: give an aware datetime")
    return moment.astimezone(UTC)


def deadline_events(entries: Iterable[DeadlineEntry]) -> bytes:
    """A calendar (``text/calendar``, UTF-8) with one event per entry."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", _utc(entry.stamp or entry.starts_at))
        event.add("dtstart", _utc(entry.starts_at))
        if entry.ends_at is not None and entry.ends_at > entry.starts_at:
            event.add("dtend", _utc(entry.ends_at))
        event.add("summary", entry.title)
        if entry.description:
            event.add("description", entry.description)
        event.add("url", entry.url)
        event.add("transp", "TRANSPARENT")
        if entry.sequence:
            event.add("sequence", entry.sequence)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
