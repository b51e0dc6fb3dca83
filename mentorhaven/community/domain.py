"""Pure rules of program events: where a new registration goes, who moves up the waitlist, and
what an event's text may hold. No database here (tested without one)."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

REGISTERED, WAITLISTED = "registered", "waitlisted"
TITLE_LIMIT, TEXT_LIMIT, PLACE_LIMIT, LINK_LIMIT = 200, 5_000, 500, 500
LONGEST_EVENT = timedelta(days=7)
REMINDER_WINDOW = timedelta(hours=24)


def place_for(*, capacity: int | None, registered: int) -> str:
    """Where a new registration goes: a seat while one is free, else the waitlist."""
    if capacity is None or registered < capacity:
        return REGISTERED
    return WAITLISTED


def seats_to_fill(*, capacity: int | None, registered: int, waiting: int) -> int:
    """How many people move up from the waitlist (first come, first served) now."""
    if waiting <= 0:
        return 0
    if capacity is None:
        return waiting
    return max(0, min(waiting, capacity - registered))


def link_problem(link: str) -> str | None:
    """Why an online event's link is refused, or None: only https links to a host."""
    parts = urlsplit(link)
    if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in link):
        return "bad_link"
    return None


def timing_problem(starts_at: datetime, ends_at: datetime, *, now: datetime) -> str | None:
    if ends_at <= starts_at:
        return "ends_before_start"
    if ends_at - starts_at > LONGEST_EVENT:
        return "too_long"
    if starts_at <= now:
        return "in_the_past"
    return None
