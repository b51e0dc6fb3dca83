"""The data migration that carries per-question matching consents into consent records and
deletes the sensitive answers stored without consent (consent migration 0003)."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from mentorhaven.consent.domain import LEGACY_MATCHING_TEXT, Purpose
from mentorhaven.consent.models import ConsentRecord
from mentorhaven.consent.selectors import has_consent
from mentorhaven.matching.models import Answer, MatchingConsent, Profile

pytestmark = pytest.mark.django_db

migration = import_module("mentorhaven.consent.migrations.0003_move_matching_consents")


def _answer(user, program, question, value):
    profile, _ = Profile.objects.get_or_create(program=program, user=user, role="mentee")
    return Answer.objects.create(profile=profile, question=question, user=user, value=value)


def test_consents_move_and_unconsented_sensitive_answers_go(personas, questionnaire):
    p, q = personas, questionnaire
    # As the code before purpose-based consent stored them: cara consented, dev did not.
    _answer(p.cara, p.program, q["gender"], "f")
    _answer(p.cara, p.program, q["industry"], "finance")
    _answer(p.dev, p.program, q["gender"], "m")
    _answer(p.dev, p.program, q["industry"], "health")
    MatchingConsent.objects.create(user=p.cara, question=q["gender"])

    migration.forwards(apps, None)

    record = ConsentRecord.objects.get(user=p.cara)
    assert record.purpose == Purpose.MATCHING_SENSITIVE and record.given
    assert record.method == "migrated" and record.text_sha256 == LEGACY_MATCHING_TEXT.sha256
    assert has_consent(p.cara, Purpose.MATCHING_SENSITIVE)
    assert not has_consent(p.dev, Purpose.MATCHING_SENSITIVE)
    kept = set(Answer.objects.values_list("user_id", "question_id"))
    assert kept == {
        (p.cara.pk, q["gender"].pk),
        (p.cara.pk, q["industry"].pk),
        (p.dev.pk, q["industry"].pk),
    }
    assert not MatchingConsent.objects.exists()
