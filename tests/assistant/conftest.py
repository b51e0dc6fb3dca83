"""The assistant's tests run the gateway against a real local chat-completions server."""

from __future__ import annotations

import pytest

from mentorhaven.assistant.services import assistant_settings_set
from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.services import consent_give, consent_withdraw
from tests.assistant.fake_model import FakeModel
from tests.mentoring.conftest import make_active


@pytest.fixture
def fake_model():
    model = FakeModel().start()
    yield model
    model.stop()


@pytest.fixture
def ai_on(personas, fake_model):
    """The demo organization's AI points at the fake model server."""
    return assistant_settings_set(
        actor=None,
        organization=personas.org,
        enabled=True,
        base_url=fake_model.url,
        model="qwen2.5-7b-instruct",
        monthly_token_budget=100_000,
    )


@pytest.fixture
def pair(personas):
    """ana (mentor) ↔ cara (mentee), active."""
    return make_active(personas, personas.cara, personas.ana)


def agree(user):
    consent_give(actor=user, purpose=Purpose.AI, method=Method.PRIVACY_PAGE)


def withdraw(user):
    consent_withdraw(actor=user, purpose=Purpose.AI, method=Method.PRIVACY_PAGE)
