"""Time zones: meeting times are stored in UTC, entered and shown in each person's own zone, and
the page, the API and the calendar files agree. Times the clock skips or shows twice are form
errors, not guesses and not error pages."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.contrib import messages as django_messages
from django.core import mail

from mentorhaven.accounts.services import user_profile_update
from mentorhaven.mentoring.models import Meeting
from mentorhaven.mentoring.services import calendar_feed_create, meeting_accept

pytestmark = pytest.mark.django_db

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
WINTER = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(WINTER, tick=False) as traveller:
        yield traveller


@pytest.fixture
def zones(personas):
    """cara (mentee) lives in Berlin, ana (mentor) in New York."""
    user_profile_update(actor=personas.cara, user=personas.cara, display_name="", time_zone=BERLIN)
    user_profile_update(actor=personas.ana, user=personas.ana, display_name="", time_zone=NEW_YORK)


def _page(relationship) -> str:
    return f"/relationships/{relationship.public_id}/"


def _propose(client, relationship, slot: str):
    return client.post(f"{_page(relationship)}meetings/", {"slot_1": slot, "duration_minutes": 60})


def _flashes(response) -> list[str]:
    return [str(m) for m in django_messages.get_messages(response.wsgi_request)]


def _dtstart(ics: bytes) -> datetime:
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = [c for c in calendar.walk("VEVENT")]
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() is not None  # UTC or a TZID
    return start


def test_berlin_enters_1730_and_new_york_sees_1130_on_page_api_and_ics(
    client, login, personas, pair, zones, bearer
):
    login(personas.cara)
    assert _propose(client, pair, "2027-01-15T17:30").status_code == 302
    meeting = Meeting.objects.get(relationship=pair)
    stored = meeting.slot_times()[0]
    assert stored == datetime(2027, 1, 15, 16, 30, tzinfo=UTC)  # winter: Berlin is UTC+1
    proposer_page = client.get(_page(pair)).content.decode()
    assert "17:30 (Europe/Berlin)" in proposer_page
    client.logout()

    login(personas.ana)
    page = client.get(_page(pair)).content.decode()
    assert "Fri 15 Jan 2027, 11:30 (America/New_York)" in page
    assert "17:30 (" not in page and "16:30 (" not in page  # no other zone's clock shown
    api = client.get(
        f"/api/v1/relationships/{pair.public_id}/meetings", headers=bearer(personas.ana)
    )
    assert api.json()["items"][0]["slots"] == ["2027-01-15T11:30:00-05:00"]

    meeting_accept(actor=personas.ana, meeting=meeting, starts_at=stored)
    page = client.get(_page(pair)).content.decode()
    assert "11:30 (America/New_York)</time>" in page
    api = client.get(
        f"/api/v1/relationships/{pair.public_id}/meetings", headers=bearer(personas.ana)
    )
    assert api.json()["items"][0]["starts_at"] == "2027-01-15T11:30:00-05:00"

    download = client.get(f"/relationships/meetings/{meeting.public_id}.ics")
    start = _dtstart(download.content)
    assert start == stored
    assert start.astimezone(ZoneInfo(NEW_YORK)).strftime("%H:%M") == "11:30"
    _feed, token = calendar_feed_create(actor=personas.ana)
    assert _dtstart(client.get(f"/relationships/calendar/{token}.ics").content) == stored


def test_the_api_gives_the_same_instant_to_each_viewer_in_their_own_offset(
    client, personas, pair, zones, bearer
):
    from mentorhaven.mentoring.services import meeting_propose

    slot = datetime(2027, 1, 15, 16, 30, tzinfo=UTC)
    meeting_propose(actor=personas.cara, relationship=pair, slots=[slot])
    path = f"/api/v1/relationships/{pair.public_id}/meetings"
    berlin = client.get(path, headers=bearer(personas.cara)).json()["items"][0]["slots"][0]
    new_york = client.get(path, headers=bearer(personas.ana)).json()["items"][0]["slots"][0]
    assert (berlin, new_york) == ("2027-01-15T17:30:00+01:00", "2027-01-15T11:30:00-05:00")
    assert datetime.fromisoformat(berlin) == datetime.fromisoformat(new_york) == slot
    me = client.get("/api/v1/me", headers=bearer(personas.ana))
    assert me.json()["time_zone"] == NEW_YORK


def test_a_time_in_the_spring_forward_gap_is_a_clear_form_error(
    client, login, personas, pair, zones
):
    login(personas.cara)
    # 28 March 2027, Berlin: the clocks jump from 02:00 to 03:00; 02:30 never happens.
    response = _propose(client, pair, "2027-03-28T02:30")
    assert response.status_code == 302
    assert _flashes(response) == [
        "2027-03-28 02:30 does not exist in Europe/Berlin: the clocks go forward then. "
        "Choose another time."
    ]
    assert not Meeting.objects.exists()
    # One hour later exists, and is stored as the right instant (summer time, UTC+2).
    assert _propose(client, pair, "2027-03-28T03:30").status_code == 302
    assert Meeting.objects.get().slot_times() == [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)]


def test_a_time_the_clock_shows_twice_is_a_clear_form_error(client, login, personas, pair, zones):
    login(personas.cara)
    # 31 October 2027, Berlin: 02:00-03:00 happens twice (summer, then winter time).
    response = _propose(client, pair, "2027-10-31T02:30")
    assert response.status_code == 302
    assert "happens twice in Europe/Berlin" in _flashes(response)[0]
    assert not Meeting.objects.exists()


def test_the_same_wall_time_in_two_zones_is_two_instants(client, login, personas, pair, zones):
    login(personas.ana)  # New York: UTC-5 in winter
    assert _propose(client, pair, "2027-01-15T17:30").status_code == 302
    assert Meeting.objects.get().slot_times() == [datetime(2027, 1, 15, 22, 30, tzinfo=UTC)]


def test_reminders_and_confirmations_show_each_recipients_clock(
    client, login, personas, pair, zones, frozen, django_capture_on_commit_callbacks
):
    from mentorhaven.mentoring.services import meeting_propose
    from mentorhaven.mentoring.tasks import send_meeting_reminders

    slot = datetime(2027, 1, 15, 16, 30, tzinfo=UTC)
    meeting = meeting_propose(actor=personas.cara, relationship=pair, slots=[slot])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_accept(actor=personas.ana, meeting=meeting, starts_at=slot)
    [confirmation] = mail.outbox  # to cara, who proposed
    assert confirmation.to == [personas.cara.email]
    assert "Fri 15 Jan 2027, 17:30 (Europe/Berlin)" in confirmation.body

    mail.outbox.clear()
    frozen.move_to(datetime(2027, 1, 14, 18, 0, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_meeting_reminders() == 1
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "Fri 15 Jan 2027, 17:30 (Europe/Berlin)" in bodies[personas.cara.email]
    assert "Fri 15 Jan 2027, 11:30 (America/New_York)" in bodies[personas.ana.email]
    assert "Berlin" not in bodies[personas.ana.email]

    login(personas.ana)
    centre = client.get("/messages/notifications/").content.decode()
    assert "11:30 (America/New_York)" in centre

    from types import SimpleNamespace

    from mentorhaven.messaging.export import notification_rows

    exported = notification_rows(SimpleNamespace(user=personas.ana))
    assert slot in [row["meeting_starts"] for row in exported]  # in her data export too
