"""Events in a person's export and erasure: their registrations are exported and deleted (a
seat they held goes to the first person waiting); the events an admin wrote are exported to
them and read as erased once their key is destroyed."""

from __future__ import annotations

import pytest

from mentorhaven.community.export import event_rows, registration_rows
from mentorhaven.community.models import Event, Registration
from mentorhaven.community.services import registration_check_in, registration_create
from mentorhaven.kernel.fields import is_erased
from mentorhaven.privacy.erasure import registry as erasure_registry
from mentorhaven.privacy.erasure import services as erasure
from mentorhaven.privacy.export.registry import ExportContext

pytestmark = pytest.mark.django_db


def test_export_holds_the_persons_registrations_and_the_events_they_wrote(personas, event):
    registration_create(actor=personas.cara, event=event, show_me=True)
    [row] = list(registration_rows(ExportContext(user=personas.cara)))
    assert row["event"] == event.public_id and row["status"] == "registered"
    assert row["name_shown_to_attendees"] is True
    assert list(registration_rows(ExportContext(user=personas.dev))) == []
    [written] = list(event_rows(ExportContext(user=personas.coordinator)))
    assert written["title"] == "Spring networking evening"
    assert list(event_rows(ExportContext(user=personas.cara))) == []


def test_the_erasure_step_is_registered():
    assert "community.registrations" in {s.name for s in erasure_registry.steps()}


def test_erasing_a_registered_person_frees_their_seat_for_the_first_waiting(personas, event):
    seat = registration_create(actor=personas.cara, event=event)
    registration_create(actor=personas.dev, event=event)
    registration_create(actor=personas.ana, event=event)
    registration_check_in(actor=personas.coordinator, event=event, registration=seat)
    erasure.erasure_run(request=erasure.erasure_now(user=personas.cara))
    assert not Registration.objects.filter(user=personas.cara).exists()
    assert Registration.objects.get(user=personas.ana).status == "registered"


def test_erasing_the_admin_who_wrote_an_event_erases_its_text_not_the_event(personas, event):
    registration_create(actor=personas.dev, event=event)
    seat = Registration.objects.get(user=personas.dev)
    registration_check_in(actor=personas.coordinator, event=event, registration=seat)
    erasure.erasure_run(request=erasure.erasure_now(user=personas.coordinator))
    kept = Event.objects.get(pk=event.pk)
    assert is_erased(kept.title) and is_erased(kept.place)
    seat.refresh_from_db()
    assert seat.status == "registered" and seat.checked_in_by is None
