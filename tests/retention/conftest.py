"""Retention fixtures: ana ↔ cara with messages and notes, ended long enough ago that the default
24-month period is over, and ben ↔ dev still active."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mentorhaven.mentoring.services import note_create, relationship_end
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from tests.mentoring.conftest import make_active

PAST_RETENTION = timedelta(days=24 * 30 + 1)


@pytest.fixture
def ended(personas):
    """ana ↔ cara: 7 messages and 2 notes, the relationship ended 24 months and a day ago."""
    with time_machine.travel(timezone.now() - PAST_RETENTION - timedelta(days=10)):
        pair = make_active(personas, personas.cara, personas.ana)
        chat = conversation_for_relationship(actor=personas.cara, relationship=pair)
        for i in range(7):
            author = personas.cara if i % 2 else personas.ana
            message_send(actor=author, conversation=chat, body=f"message {i}")
        note_create(actor=personas.cara, relationship=pair, body="my note")
        note_create(actor=personas.ana, relationship=pair, body="shared", shared=True)
    with time_machine.travel(timezone.now() - PAST_RETENTION):
        relationship_end(actor=personas.cara, relationship=pair, reason="goals_met", completed=True)
    pair.refresh_from_db()
    return pair


@pytest.fixture
def active(personas):
    pair = make_active(personas, personas.dev, personas.ben)
    chat = conversation_for_relationship(actor=personas.dev, relationship=pair)
    message_send(actor=personas.dev, conversation=chat, body="still going")
    return pair
