"""Events in the demo program, published by its coordinator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.community.services import event_create
from mentorhaven.kernel.models import AuditEvent

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=3)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_event(personas, *, capacity=None, **overrides):
    fields = {
        "format": "in_person",
        "title": "Spring networking evening",
        "description": "Meet the other pairs of the program",
        "place": "Room 4, Harbour Building",
        "link": "",
        "starts_at": STARTS,
        "ends_at": STARTS + timedelta(hours=2),
        "capacity": capacity,
    }
    fields.update(overrides)
    return event_create(actor=personas.coordinator, program=personas.program, **fields)


@pytest.fixture
def event(personas):
    return make_event(personas, capacity=2)


@pytest.fixture
def bearer(db):
    """``bearer(user, scope="write")`` -> headers for the test client with a fresh token."""

    def _headers(user, scope="write"):
        _token, secret = api_token_create(actor=user, user=user, name="t", scope=scope, days=None)
        return {"Authorization": f"Bearer {secret}"}

    return _headers


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))
