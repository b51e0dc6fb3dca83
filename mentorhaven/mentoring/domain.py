"""Pure rules of the mentoring app: meeting slots, small-group suppression, idle detection and
the iCalendar text. No ORM here, so each rule is tested without a database."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from django.utils.translation import gettext as _

from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.reporting.domain import DEFAULT_K, band, release

MAX_SLOTS = 3
DEFAULT_MIN_GROUP_SIZE = 10
DEFAULT_IDLE_DAYS = 21
NEUTRAL_TITLE = "Mentoring meeting"


# --- meeting slots -------------------------------------------------------------------------------


def clean_slots(slots: Iterable[datetime], *, now: datetime) -> list[datetime]:
    """One to three distinct, timezone-aware start times in the future, earliest first."""
    unique = sorted(set(slots))
    if not 1 <= len(unique) <= MAX_SLOTS:
        raise ValidationFailed(_("Offer one, two or three times."), code="bad_slots")
    for slot in unique:
        if slot.tzinfo is None or slot.utcoffset() is None:
            raise ValidationFailed(_("Times need a time zone."), code="bad_slots")
        if slot <= now:
            raise ValidationFailed(_("Offer times in the future."), code="bad_slots")
    return unique


class NonexistentLocalTime(ValueError):
    """The clock skips this time in the zone (spring forward)."""


class AmbiguousLocalTime(ValueError):
    """The clock shows this time twice in the zone (fall back)."""


def local_to_aware(wall: datetime, zone: tzinfo) -> datetime:
    """A time as a person's clock shows it in ``zone`` → an aware datetime.

    Policy: a time the clock skips (the spring-forward gap) or shows twice (the fall-back
    hour) is refused rather than guessed: a meeting an hour off is worse than a question."""
    wall = wall.replace(tzinfo=None)
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # In a gap the round trip through UTC lands on another wall time; in an overlap both
        # offsets are real.
        if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
            raise NonexistentLocalTime(wall)
        raise AmbiguousLocalTime(wall)
    return first


# --- aggregates for admins -----------------------------------------------------------------------


@dataclass(frozen=True)
class RatingSummary:
    """Feedback as an admin may see it, through the reporting layer: ``suppressed`` means the
    group is too small to show anything but that fact (a mean over three people points at the
    three people); the mean only as a band (``reporting.domain.band``), so that one new rating
    cannot be read off the change ("4.10 from 10" becoming "3.82 from 11"); the number of
    comments only when it and the rest describe nobody or at least ``k`` people."""

    min_group_size: int
    suppressed: bool
    responses: int | None = None
    mean_rating: str | None = None  # a band, e.g. "4.0-4.5"
    comments: int | None = None


def rating_summary(ratings: Sequence[int], comments: int, *, min_group_size: int) -> RatingSummary:
    size = max(int(min_group_size), DEFAULT_K)  # a program setting cannot go below the floor
    mean = band(ratings, k=size)
    if mean is None:
        return RatingSummary(min_group_size=size, suppressed=True)
    commented = release({"comment": comments, "none": len(ratings) - comments}, k=size)
    return RatingSummary(
        min_group_size=size,
        suppressed=False,
        responses=len(ratings),
        mean_rating=str(mean),
        comments=commented.cells["comment"],
    )


def completion_rate(done: int, total: int) -> float | None:
    """Share of goals achieved, 0 to 1, or None when there are none (no rate is better than 0%)."""
    return round(done / total, 3) if total else None


# --- idle relationships --------------------------------------------------------------------------

WARN, CLOSE = "warn", "close"


def idle_action(
    *,
    last_activity: datetime,
    warned_at: datetime | None,
    now: datetime,
    idle_days: int,
    auto_close_days: int | None,
) -> str | None:
    """What to do about an active relationship: ``"warn"``, ``"close"`` or nothing.

    A warning is current while no activity happened after it; activity after a warning starts
    the clock again. Closing needs a current warning at least ``auto_close_days`` old, so nobody
    is closed without having been told first.
    """
    if warned_at is not None and warned_at >= last_activity:  # a current warning
        if auto_close_days and now >= warned_at + timedelta(days=auto_close_days):
            return CLOSE
        return None
    if now >= last_activity + timedelta(days=idle_days):
        return WARN
    return None


# --- iCalendar (RFC 5545) ------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    stamp: datetime
    summary: str = NEUTRAL_TITLE
    location: str = ""
    url: str = ""
    cancelled: bool = False


def ics_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_calendar(events: Iterable[CalendarEvent], *, name: str = "MentorHaven") -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//MentorHaven//Mentoring//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(event.stamp)}",
            f"DTSTART:{_utc(event.starts_at)}",
            f"DTEND:{_utc(event.ends_at)}",
            f"SUMMARY:{ics_escape(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{ics_escape(event.location)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def calendar_token_hash(raw: str) -> str:
    """What a calendar feed address is stored as: its SHA-256, never the address itself."""
    return hashlib.sha256(raw.encode()).hexdigest()
