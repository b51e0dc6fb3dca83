"""Consent fixtures: the matching questionnaire of tests/matching, and a data-protection
officer for the demo organization."""

from __future__ import annotations

import pytest

from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.services import consent_give, consent_withdraw, dpo_appoint
from mentorhaven.kernel.models import AuditEvent
from tests.matching.conftest import fill, questionnaire  # noqa: F401 (a fixture)


@pytest.fixture
def dpo(personas):
    """The auditor also holds the demo organization's data-protection role."""
    dpo_appoint(actor=personas.org_admin, organization=personas.org, user=personas.auditor)
    return personas.auditor


@pytest.fixture
def matched(personas, questionnaire):  # noqa: F811
    """Cara (mentee) and Ana (mentor) share a topic and a sensitive answer, both consenting."""
    p, q = personas, questionnaire
    fill(p.ana, p.program, "mentor", q, topics=["leadership"], industry="health", gender="f",
         consent=True)  # fmt: skip
    fill(p.cara, p.program, "mentee", q, topics=["leadership"], industry="finance", gender="f",
         consent=True)  # fmt: skip
    return p


def give(user, purpose=Purpose.MATCHING_SENSITIVE):
    return consent_give(actor=user, purpose=purpose, method=Method.PRIVACY_PAGE)


def withdraw(user, purpose=Purpose.MATCHING_SENSITIVE):
    return consent_withdraw(actor=user, purpose=purpose, method=Method.PRIVACY_PAGE)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))
