"""Two active relationships in the demo program: ana mentors cara, ben mentors dev."""

from __future__ import annotations

import pytest

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.kernel import audit
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.services import relationship_accept, relationship_propose


def make_active(personas, mentee, mentor):
    relationship = relationship_propose(
        actor=personas.coordinator, program=personas.program, mentee=mentee, mentor=mentor
    )
    relationship_accept(actor=mentee, relationship=relationship)
    return relationship_accept(actor=mentor, relationship=relationship)


@pytest.fixture
def pair(personas):
    """ana (mentor) ↔ cara (mentee), active."""
    return make_active(personas, personas.cara, personas.ana)


@pytest.fixture
def other_pair(personas):
    """ben (mentor) ↔ dev (mentee), active."""
    return make_active(personas, personas.dev, personas.ben)


@pytest.fixture
def bearer(db):
    """``bearer(user, scope="write")`` -> headers for the test client with a fresh token."""

    def _headers(user, scope="write"):
        _token, secret = api_token_create(actor=user, user=user, name="t", scope=scope, days=None)
        return {"Authorization": f"Bearer {secret}"}

    return _headers


def events(action: str, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def last_event(action: str) -> AuditEvent:
    found = events(action)
    assert found, f"no audit event {action!r}"
    return found[-1]


def reads_about(subject, viewer=None) -> list[AuditEvent]:
    """``data.read`` events whose data subject is ``subject`` (and actor ``viewer``)."""
    filters = {"subject": audit.pseudonym(subject)}
    if viewer is not None:
        filters["actor"] = audit.pseudonym(viewer)
    return events("data.read", **filters)
