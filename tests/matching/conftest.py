"""Matching fixtures: a small questionnaire on the demo program, and helpers to fill it in."""

from __future__ import annotations

import pytest

from mentorhaven.accounts.models import User
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.matching.models import Question
from mentorhaven.matching.services import question_create, questionnaire_submit
from mentorhaven.programs.models import Membership, OrgMembership


@pytest.fixture
def questionnaire(personas):
    """Three questions: topics (multi), industry (single), gender (sensitive single)."""
    admin, program = personas.coordinator, personas.program
    return {
        "topics": question_create(
            actor=admin,
            program=program,
            kind="multi",
            prompt="Topics you care about",
            options=[
                {"value": "leadership", "label": "leadership"},
                {"value": "career", "label": "career change"},
                {"value": "python", "label": "python"},
            ],
        ),
        "industry": question_create(
            actor=admin,
            program=program,
            kind="single",
            prompt="Your industry",
            options=["finance", "health", "software"],
        ),
        "gender": question_create(
            actor=admin,
            program=program,
            kind="single",
            prompt="Gender",
            sensitive=True,
            category="personal",
            weight=5.0,
            options=["f", "m", "x"],
        ),
    }


def fill(
    user,
    program,
    role,
    questionnaire,
    *,
    topics=(),
    industry=None,
    gender=None,
    consent=None,
    goals="",
    capacity=None,
    paused=None,
):
    answers = {
        questionnaire["topics"]: list(topics),
        questionnaire["industry"]: industry,
        questionnaire["gender"]: gender,
    }
    return questionnaire_submit(
        actor=user,
        program=program,
        role=role,
        answers=answers,
        sensitive_consent=consent,
        goals=goals,
        capacity=capacity,
        paused=paused,
    )


def add_participant(personas, email: str, role: str) -> User:
    user = User.objects.create_user(email=email, password="x" * 20, display_name=email[:10])
    OrgMembership.objects.create(organization=personas.org, user=user)
    Membership.objects.create(program=personas.program, user=user, role=role)
    return user


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


__all__ = ["Question", "add_participant", "events", "fill"]
