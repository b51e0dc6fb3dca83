"""Helpers for the vault tests: a private keyring and a test-only model with encrypted fields.

``EncryptionProbe`` belongs to the app label ``vault_probe``, which is not installed: Django's
registry, migrations, system checks and the inventory never see it, and no production table
exists for it. The ``probe_table`` fixture creates its table inside the test's transaction, so
it disappears with the rollback.
"""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.db import connection, models

from mentorhaven.kernel import vault
from mentorhaven.kernel.fields import EncryptedJSONField, EncryptedTextField


class EncryptionProbe(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    title = models.CharField(max_length=50, blank=True)
    # What decides who may read ``secret`` (as a relationship and a shared flag do for a note).
    circle = models.IntegerField(default=0)
    shared = models.BooleanField(default=False)
    body = EncryptedTextField(subject_field="author", blank=True)
    notes = EncryptedTextField(subject_field="author", null=True, blank=True)
    answers = EncryptedJSONField(subject_field="author", null=True, blank=True)
    secret = EncryptedTextField(
        subject_field="author", bind=["circle", "shared"], null=True, blank=True
    )

    class Meta:
        app_label = "vault_probe"
        db_table = "vault_probe_encryptionprobe"

    def __str__(self) -> str:
        return f"probe {self.public_id}"


@pytest.fixture
def keyring(tmp_path):
    """A fresh key file for this test only (never the shared development key)."""
    path = tmp_path / "master.key"
    provider = vault.FileKeyProvider(path=str(path))
    provider.versions()  # creates the file with v1 outside production
    vault.set_key_provider(provider)
    yield provider
    vault.set_key_provider(None)


@pytest.fixture
def probe_table(db):
    # Only the CREATE TABLE statement is generated (no editor context: SQLite refuses one inside
    # a transaction); it runs inside the test's transaction and is rolled back with it.
    sql, params = connection.schema_editor().table_sql(EncryptionProbe)
    with connection.cursor() as cursor:
        cursor.execute(sql, params or None)
    return EncryptionProbe
