"""Messaging fixtures: ana (mentor) ↔ cara (mentee) and ben ↔ dev, both active, with their
conversations; helpers to read audit events and raw columns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from mentorhaven.messaging.models import Notification
from mentorhaven.messaging.services import conversation_for_relationship
from tests.mentoring.conftest import bearer, make_active  # noqa: F401  (fixture re-export)


def _active_and_read(personas, mentee, mentor):
    relationship = make_active(personas, mentee, mentor)
    # The notices of the match and its start, read: these tests are about what comes after.
    Notification.objects.filter(read_at__isnull=True).update(read_at=timezone.now())
    return relationship


@pytest.fixture
def pair(personas):
    return _active_and_read(personas, personas.cara, personas.ana)


@pytest.fixture
def other_pair(personas):
    return _active_and_read(personas, personas.dev, personas.ben)


@pytest.fixture
def chat(pair, personas):
    """The conversation of ana ↔ cara."""
    return conversation_for_relationship(actor=personas.cara, relationship=pair)


@pytest.fixture
def other_chat(other_pair, personas):
    return conversation_for_relationship(actor=personas.dev, relationship=other_pair)


def raw_body(message) -> bytes | None:
    """The stored column, straight from the database, bypassing the field."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM messaging_message WHERE id = %s", [message.pk])
        value = cursor.fetchone()[0]
    return None if value is None else bytes(value)
