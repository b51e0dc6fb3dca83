"""``mentorhaven relationships idle``: nudge after N quiet days, optionally close after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import note_create

from .conftest import events, make_active

pytestmark = pytest.mark.django_db

START = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=False) as t:
        yield t


@pytest.fixture
def quiet(personas, traveller):
    return make_active(personas, personas.cara, personas.ana)


def _run(capture) -> None:
    with capture(execute=True):
        call_command("relationships", "idle")


def test_idle_relationship_is_nudged_once_without_content(
    personas, quiet, traveller, django_capture_on_commit_callbacks
):
    traveller.move_to(START + timedelta(days=20))
    _run(django_capture_on_commit_callbacks)
    assert mail.outbox == [] and events("relationship.idle_warn") == []
    traveller.move_to(START + timedelta(days=22))
    _run(django_capture_on_commit_callbacks)
    _run(django_capture_on_commit_callbacks)  # idempotent
    assert sorted(m.to[0] for m in mail.outbox) == sorted([personas.ana.email, personas.cara.email])
    for message in mail.outbox:
        assert "Ana" not in message.body and "Cara" not in message.body
    assert len(events("relationship.idle_warn")) == 1
    quiet.refresh_from_db()
    assert quiet.idle_warned_at is not None and quiet.status == Relationship.Status.ACTIVE


def test_program_idle_days_setting_is_used(
    personas, quiet, traveller, django_capture_on_commit_callbacks
):
    personas.program.settings = {"idle_days": 5}
    personas.program.save()
    traveller.move_to(START + timedelta(days=6))
    _run(django_capture_on_commit_callbacks)
    assert len(events("relationship.idle_warn")) == 1


def test_auto_close_after_unanswered_warning(
    personas, quiet, traveller, django_capture_on_commit_callbacks
):
    personas.program.settings = {"auto_close_idle_days": 7}
    personas.program.save()
    traveller.move_to(START + timedelta(days=22))
    _run(django_capture_on_commit_callbacks)
    traveller.move_to(START + timedelta(days=28))
    _run(django_capture_on_commit_callbacks)
    quiet.refresh_from_db()
    assert quiet.status == Relationship.Status.ACTIVE
    traveller.move_to(START + timedelta(days=30))
    _run(django_capture_on_commit_callbacks)
    _run(django_capture_on_commit_callbacks)
    quiet.refresh_from_db()
    assert (quiet.status, quiet.end_reason) == (Relationship.Status.ENDED_EARLY, "idle")
    [event] = events("relationship.end")
    assert event.extra == {"reason": "idle"} and event.actor == "system"


def test_activity_after_the_warning_prevents_closing(
    personas, quiet, traveller, django_capture_on_commit_callbacks
):
    personas.program.settings = {"auto_close_idle_days": 7}
    personas.program.save()
    traveller.move_to(START + timedelta(days=22))
    _run(django_capture_on_commit_callbacks)
    traveller.move_to(START + timedelta(days=24))
    note_create(actor=personas.cara, relationship=quiet, body="back again")
    traveller.move_to(START + timedelta(days=31))
    _run(django_capture_on_commit_callbacks)
    quiet.refresh_from_db()
    assert quiet.status == Relationship.Status.ACTIVE
