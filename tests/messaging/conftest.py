"""Messaging fixtures: ana (mentor) ↔ cara (mentee) and ben ↔ dev, both active, with their
conversations; helpers to read audit events and raw columns."""

from __future__ import annotations

import pytest
from django.db import connection

from mentorhaven.messaging.services import conversation_for_relationship
from tests.mentoring.conftest import bearer, make_active  # noqa: F401  (fixture re-export)


@pytest.fixture
def pair(personas):
    return make_active(personas, personas.cara, personas.ana)


@pytest.fixture
def other_pair(personas):
    return make_active(personas, personas.dev, personas.ben)


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
