"""Kernel tables: subjects' wrapped data keys, the append-only audit log and its checkpoints."""

from __future__ import annotations

import json
from typing import Any

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


class CanonicalJSONField(models.TextField[Any, Any]):
    """A JSON object stored as text in the audit log's canonical encoding (sorted keys, no spaces).

    Stored verbatim on every database (not as ``jsonb``, which re-formats), so ``audit verify``
    can hash exactly the bytes that were hashed when the event was recorded.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return json.loads(value) if value else {}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value if value is not None else {}

    def get_prep_value(self, value: Any) -> str:
        return canonical_json(value or {})


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


class AuditEvent(models.Model):
    """One event of the hash-chained audit log. Pseudonyms, codes and counts, never content.

    People (actor, subject) and what they touched (target, references in ``extra``) appear as
    keyed pseudonyms (``kernel/audit/pseudonyms.py``), so a copy of the table joins to nobody and
    an erased person is no longer identifiable while the chain still verifies.

    A row is written *pending* (``seq`` NULL, empty hashes) inside the recording transaction and
    *sealed* (contiguous ``seq``, ``prev_hash``, ``hash``) by the audit sealer after it commits.
    Triggers (kernel migration 0008, on PostgreSQL and SQLite) refuse inserting a row that is not
    pending, every UPDATE except sealing a pending row, DELETE and TRUNCATE. They list this
    model's columns: a column added later must be added to them too (a test checks it).
    """

    seq = models.BigIntegerField(unique=True, null=True, blank=True)  # NULL while pending
    occurred_at = models.DateTimeField()
    actor = models.CharField(max_length=64, blank=True)  # pseudonym, "system" or ""
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=64, blank=True)  # pseudonym
    purpose = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=20, blank=True)
    organization_id = models.BigIntegerField(null=True, blank=True)
    extra = CanonicalJSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)  # "" while pending
    hash = models.CharField(max_length=64, blank=True)  # "" while pending

    class Meta:
        ordering = ["seq"]
        # Few indexes: every event is written twice (pending, then sealed), and each index
        # costs on both writes. No query looks events up by action or by subject prefix.
        indexes = [
            # "Who accessed my data": one person's events.
            models.Index(fields=["subject"], name="kernel_audit_subject"),
            # The sealer's queue: tiny, because rows leave it within milliseconds.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="kernel_audit_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or 'pending'} {self.action}"


class AuditCheckpoint(models.Model):
    """An Ed25519 signature over (seq, hash, signed_at) of the audit log's tail at that moment.

    The signing key lives outside the database (``AUDIT_SIGNING_KEY_FILE``): someone who can write
    SQL can rewrite the chain and recompute its hashes, but cannot sign a matching checkpoint.
    Each checkpoint is also appended to the anchor store outside the database
    (``kernel/audit/anchors.py``), so deleting rows here together with the events is caught too.
    Append-only: triggers refuse UPDATE, DELETE and TRUNCATE (kernel migration 0008).
    """

    seq = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=88)  # base64 of the 64-byte signature

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"


class IntegrityNotice(models.Model):
    """That an organization's security officers were told of a ciphertext failing its integrity
    check, in the hour starting at ``window_start``: at most one e-mail per organization and hour,
    however many damaged rows a page shows, and across processes (the unique constraint decides
    which request sends it). Identifiers only."""

    organization_id = models.BigIntegerField()
    window_start = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization_id", "window_start"], name="uniq_integrity_notice_hour"
            )
        ]

    def __str__(self) -> str:
        return f"Integrity notice for organization {self.organization_id}"


class ScheduledJob(models.Model):
    """The state of one periodic job of ``kernel/schedule.py``: when it last ran and how, when it
    is next due, and which run holds it (``locked_until``, a lease that lapses if the process
    running it dies). Names and codes only, nothing about people."""

    class Status(models.TextChoices):
        NEVER = "", "Never run"
        OK = "ok", "Succeeded"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=8, choices=Status.choices, blank=True)
    last_error = models.CharField(max_length=100, blank=True)  # an exception's class name
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"Scheduled job {self.name}"
