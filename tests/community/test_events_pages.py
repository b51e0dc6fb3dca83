"""Event pages: the list and detail for members, register and cancel, the admins' create, edit,
cancel and check-in; everyone else gets the 404 page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentorhaven.community.models import Event, Registration
from mentorhaven.community.services import registration_create

from .conftest import STARTS

pytestmark = pytest.mark.django_db


def test_member_sees_the_list_and_registers(client, personas, event):
    client.force_login(personas.cara)
    listing = client.get(f"/events/p/{personas.program.public_id}/")
    assert listing.status_code == 200 and b"Spring networking evening" in listing.content
    assert b"Publish an event" not in listing.content
    page = client.get(f"/events/{event.public_id}/")
    assert page.status_code == 200 and b"Room 4, Harbour Building" in page.content
    answer = client.post(f"/events/{event.public_id}/register/", {"show_me": "on"})
    assert answer.status_code == 302
    registration = Registration.objects.get(user=personas.cara)
    assert registration.status == "registered" and registration.show_me
    client.post(f"/events/{event.public_id}/unregister/")
    assert Registration.objects.get(user=personas.cara).status == "cancelled"


def test_admin_publishes_edits_checks_in_and_cancels(client, personas, login):
    login(personas.coordinator)
    form = {
        "title": "Mentor circle",
        "format": "in_person",
        "starts_at": (STARTS).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (STARTS + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Library",
        "capacity": "5",
    }
    created = client.post(f"/events/p/{personas.program.public_id}/new/", form)
    assert created.status_code == 302, created.content[:2000]
    event = Event.objects.get()
    assert event.title == "Mentor circle"
    bad = client.post(f"/events/{event.public_id}/edit/", {**form, "place": ""})
    assert bad.status_code == 422 and b"needs a place" in bad.content
    client.post(f"/events/{event.public_id}/edit/", {**form, "title": "Mentor circle (moved)"})
    assert Event.objects.get().title == "Mentor circle (moved)"
    seat = registration_create(actor=personas.dev, event=event)
    page = client.get(f"/events/{event.public_id}/")
    assert b"Dev Mentee" in page.content and b"Check in" in page.content
    client.post(f"/events/{event.public_id}/check-in/", {"registration": str(seat.public_id)})
    assert Registration.objects.get(pk=seat.pk).checked_in_at is not None
    assert client.get(f"/events/{event.public_id}/cancel/").status_code == 200
    client.post(f"/events/{event.public_id}/cancel/")
    assert Event.objects.get().status == "cancelled"


def test_attendee_page_lists_only_those_who_opted_in(client, personas, event):
    registration_create(actor=personas.cara, event=event, show_me=False)
    registration_create(actor=personas.dev, event=event, show_me=True)
    client.force_login(personas.cara)
    listed = _attendees(client.get(f"/events/{event.public_id}/").content)
    assert "Dev Mentee" in listed and "Cara Mentee" not in listed
    client.force_login(personas.ben)  # a member without a seat: counts only
    assert _attendees(client.get(f"/events/{event.public_id}/").content) == ""


def _attendees(page: bytes) -> str:
    """The attendee section of an event page ("" when there is none)."""
    text = page.decode()
    start = text.find('id="attendees-h"')
    return "" if start < 0 else text[start : text.index("</section>", start)]


def test_members_may_not_run_events_and_strangers_get_404(client, personas, event):
    client.force_login(personas.cara)
    assert client.get(f"/events/p/{personas.program.public_id}/new/").status_code == 403
    assert client.get(f"/events/{event.public_id}/edit/").status_code == 403
    assert client.post(f"/events/{event.public_id}/cancel/").status_code == 403
    for stranger in (personas.outsider, personas.auditor):
        client.force_login(stranger)
        for path in (
            f"/events/p/{personas.program.public_id}/",
            f"/events/{event.public_id}/",
            f"/events/{event.public_id}/event.ics",
        ):
            assert client.get(path).status_code == 404, (stranger, path)
        assert client.post(f"/events/{event.public_id}/register/").status_code == 404
    assert not Registration.objects.exists()
    assert Event.objects.get().status == "scheduled"


def test_bad_check_in_is_a_clear_answer_not_an_error(client, personas, login, event):
    login(personas.coordinator)
    answer = client.post(f"/events/{event.public_id}/check-in/", {"registration": "nope"})
    assert answer.status_code in (302, 400)
    other = client.post(
        f"/events/{event.public_id}/check-in/",
        {"registration": "00000000-0000-0000-0000-000000000000"},
    )
    assert other.status_code == 404


def test_admin_list_shows_attendance_with_small_numbers_hidden(client, personas, event, frozen):
    seat = registration_create(actor=personas.cara, event=event)
    frozen.move_to(event.ends_at + timedelta(hours=1))
    from mentorhaven.community.models import Registration as R

    R.objects.filter(pk=seat.pk).update(checked_in_at=event.starts_at)
    client.force_login(personas.org_admin)
    page = client.get(f"/events/p/{personas.program.public_id}/").content.decode()
    assert "Attendance" in page and "too few people to show" in page
    client.force_login(personas.cara)
    assert (
        "Attendance" not in client.get(f"/events/p/{personas.program.public_id}/").content.decode()
    )
