"""Consent records: opt-in per purpose, with the text's hash, time and method; withdrawable;
an append-only history the database itself protects."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError, transaction

from mentorhaven.consent.domain import TEXTS, Purpose, text_hash
from mentorhaven.consent.models import ConsentRecord
from mentorhaven.consent.selectors import consent_state, consenting, has_consent
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import ValidationFailed

from .conftest import events, give, withdraw

pytestmark = pytest.mark.django_db


def test_nothing_is_consented_until_the_person_opts_in(personas):
    for purpose in Purpose:
        assert not has_consent(personas.cara, purpose)
    assert all(not s.given for s in consent_state(viewer=personas.cara))


def test_a_record_keeps_the_text_hash_time_and_method(personas):
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        record = give(personas.cara, Purpose.ANALYTICS)
    assert record.text_sha256 == text_hash(TEXTS[Purpose.ANALYTICS].text)
    assert record.text_version == TEXTS[Purpose.ANALYTICS].version
    assert record.method == "privacy_page"
    assert record.recorded_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert has_consent(personas.cara, Purpose.ANALYTICS)
    assert not has_consent(personas.cara, Purpose.AI)  # per purpose
    assert not has_consent(personas.dev, Purpose.ANALYTICS)  # per person


def test_withdrawal_is_a_new_record_and_the_newest_wins(personas):
    give(personas.cara, Purpose.AI)
    assert withdraw(personas.cara, Purpose.AI) is True
    assert not has_consent(personas.cara, Purpose.AI)
    give(personas.cara, Purpose.AI)
    assert has_consent(personas.cara, Purpose.AI)
    history = list(ConsentRecord.objects.filter(user=personas.cara).values_list("given", flat=True))
    assert history == [True, False, True]  # newest first
    assert consenting(Purpose.AI, [personas.cara.pk, personas.dev.pk]) == {personas.cara.pk}


def test_giving_twice_records_once_and_withdrawing_nothing_changes_nothing(personas):
    assert give(personas.cara) is not None
    assert give(personas.cara) is None
    assert withdraw(personas.dev) is False
    assert ConsentRecord.objects.count() == 1


def test_an_unknown_purpose_is_refused(personas):
    with pytest.raises(ValidationFailed):
        give(personas.cara, "marketing")


def test_consent_changes_are_audited_without_content(personas):
    give(personas.cara, Purpose.ANALYTICS)
    withdraw(personas.cara, Purpose.ANALYTICS)
    (given,), (withdrawn,) = events("consent.give"), events("consent.withdraw")
    for event in (given, withdrawn):
        assert event.subject == audit.pseudonym(personas.cara)
        assert event.extra["purpose"] == "engagement_analytics"


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_change_a_consent_record(personas):
    give(personas.cara)
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentRecord.objects.filter(user=personas.cara).update(given=False)
    assert has_consent(personas.cara, Purpose.MATCHING_SENSITIVE)
    record = ConsentRecord.objects.get(user=personas.cara)
    with pytest.raises(ValueError):
        record.save()


def test_a_consent_to_an_older_text_shows_as_outdated(personas, monkeypatch):
    give(personas.cara)
    from mentorhaven.consent import domain, selectors

    newer = domain.ConsentText(Purpose.MATCHING_SENSITIVE, "2027-01", "New words.")
    monkeypatch.setitem(selectors.TEXTS, Purpose.MATCHING_SENSITIVE, newer)
    state = {s.purpose: s for s in consent_state(viewer=personas.cara)}
    assert state["matching_sensitive"].given and state["matching_sensitive"].outdated
