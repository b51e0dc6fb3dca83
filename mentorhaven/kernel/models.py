"""Kernel tables: subjects' wrapped data keys and the append-only audit log."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SubjectKey(models.Model):
    """One data subject's data key and pseudonym secret, both wrapped by the master key.

    ``subject_id`` is the user's primary key, deliberately not a foreign key: the row (and its
    shredded state) outlives any change to the user row.
    """

    subject_id = models.BigIntegerField(unique=True)
    kek_version = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()
    wrapped_secret = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    shredded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"SubjectKey({self.subject_id}, {self.kek_version})"


class AuditEvent(models.Model):
    """One event of the hash-chained audit log. Identifiers only, never content.

    People appear as keyed pseudonyms (HMAC with their vault-held secret), so an erased person is
    no longer identifiable while the chain still verifies.
    """

    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.CharField(max_length=64, blank=True)  # pseudonym, "system" or ""
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=64, blank=True, db_index=True)  # pseudonym
    purpose = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=20, blank=True)
    organization_id = models.BigIntegerField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"
