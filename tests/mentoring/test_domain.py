"""Pure rules: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.mentoring.domain import (
    CLOSE,
    WARN,
    CalendarEvent,
    clean_slots,
    completion_rate,
    ics_calendar,
    ics_escape,
    idle_action,
    rating_summary,
)

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_slots_are_sorted_and_deduplicated():
    later, sooner = NOW + timedelta(days=2), NOW + timedelta(days=1)
    assert clean_slots([later, sooner, later], now=NOW) == [sooner, later]
    with pytest.raises(ValidationFailed):
        clean_slots([NOW], now=NOW)


def test_rating_summary_is_suppressed_below_the_group_size():
    assert rating_summary([5] * 9, 3, min_group_size=10).suppressed
    shown = rating_summary([5] * 5 + [4] * 5, 3, min_group_size=10)
    # A band, not "4.5": one more rating cannot be read off the change; 3 comments of 10 is
    # hidden (fewer than 10 people), and so is the 7 that would give it away.
    assert (shown.suppressed, shown.mean_rating, shown.comments) == (False, "4.5-5.0", None)
    assert rating_summary([5] * 10 + [1] * 10, 10, min_group_size=10).comments == 10
    assert rating_summary([], 0, min_group_size=0).suppressed  # at least one response
    assert rating_summary([4] * 4, 0, min_group_size=2).suppressed  # never below 5 people


def test_completion_rate_is_absent_without_goals():
    assert completion_rate(0, 0) is None
    assert completion_rate(1, 3) == 0.333


def test_idle_action_warns_then_closes():
    last = NOW - timedelta(days=21)
    assert (
        idle_action(last_activity=last, warned_at=None, now=NOW, idle_days=21, auto_close_days=None)
        == WARN
    )
    assert (
        idle_action(
            last_activity=last,
            warned_at=NOW,
            now=NOW + timedelta(days=30),
            idle_days=21,
            auto_close_days=None,
        )
        is None
    )
    assert (
        idle_action(
            last_activity=last,
            warned_at=NOW,
            now=NOW + timedelta(days=7),
            idle_days=21,
            auto_close_days=7,
        )
        == CLOSE
    )
    assert (
        idle_action(
            last_activity=NOW,
            warned_at=NOW - timedelta(days=1),
            now=NOW + timedelta(days=1),
            idle_days=21,
            auto_close_days=7,
        )
        is None
    )


def test_ics_text_is_escaped_and_folded():
    assert ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    event = CalendarEvent(
        uid="u@x", starts_at=NOW, ends_at=NOW + timedelta(hours=1), stamp=NOW, location="Café " * 30
    )
    text = ics_calendar([event])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "DTSTART:20270101T000000Z" in text and text.endswith("END:VCALENDAR\r\n")
