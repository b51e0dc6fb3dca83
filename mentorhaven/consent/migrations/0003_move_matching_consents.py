"""Carry the per-question matching consents over into purpose-based consent records, and
delete the sensitive answers that were stored without consent.

* A person who had consented to at least one sensitive question gets one record "matching with
  sensitive answers", given at their earliest per-question consent, method "migrated", with
  the hash of the per-question box's text (so the page shows it was given to an older text).
* Every answer to a sensitive question whose author had not consented to that very question is
  deleted: it was kept without consent. Once moved, the per-question rows are deleted.

Not reversible in data: the deleted answers are gone by design (the schema reverses).
"""

import hashlib
import uuid

from django.db import migrations
from django.db.models import Exists, Min, OuterRef

LEGACY_TEXT = "Use this answer for matching (you can withdraw this at any time)"


def forwards(apps, schema_editor):
    MatchingConsent = apps.get_model("matching", "MatchingConsent")
    Answer = apps.get_model("matching", "Answer")
    ConsentRecord = apps.get_model("consent", "ConsentRecord")
    digest = hashlib.sha256(LEGACY_TEXT.encode("utf-8")).hexdigest()
    earliest = (
        MatchingConsent.objects.filter(question__sensitive=True)
        .values("user_id")
        .annotate(first=Min("given_at"))
        .order_by("user_id")
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            public_id=uuid.uuid4(),
            user_id=row["user_id"],
            purpose="matching_sensitive",
            given=True,
            text_version="per-question",
            text_sha256=digest,
            method="migrated",
            recorded_at=row["first"],
        )
        for row in earliest.iterator()
    )
    consented = MatchingConsent.objects.filter(
        user_id=OuterRef("user_id"), question_id=OuterRef("question_id")
    )
    Answer.objects.filter(question__sensitive=True).exclude(Exists(consented)).delete()
    MatchingConsent.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_consent_history_append_only"),
        ("matching", "0002_encrypt_headlines_scores_and_bind_access"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
