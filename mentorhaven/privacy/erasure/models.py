"""Erasure requests (Art. 17) and the safeguarding cases that outlive an erasure."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ErasureRequest(models.Model):
    """A person's request to be erased, waiting out its grace period, then carried out.

    ``steps_done`` names the erasure steps already committed: the job runs each remaining step in
    its own transaction and records it there, so a job killed half-way resumes where it stopped
    and never leaves a step half done. The row itself stays after completion as the record that
    the erasure happened; it then points at an anonymized account.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the grace period to end"
        RUNNING = "running", "Being carried out"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        SELF = "self", "Requested by the person"
        OPERATOR = "operator", "Requested through an operator"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SELF)
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # numbers per step, never content

    class Meta:
        app_label = "privacy"
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            # At most one live request per person: requesting twice shows the first one.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["pending", "running"]),
                name="privacy_one_live_erasure_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"ErasureRequest {self.public_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class SafeguardingCase(models.Model):
    """The evidence of an open safety report, re-sealed under a key of its own.

    A report's note is encrypted under the reporter's key and the reported message under its
    author's: erasing either would destroy the evidence the program's safeguarding staff (its
    admins) need. Before either key is shredded, the evidence is copied here, encrypted under a
    case key that belongs to the case (wrapped by the master key, purpose ``vault.CASE_KEY``), and
    readable only through ``safeguarding.case_evidence_for`` by the report's program admins.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.OneToOneField(
        "messaging.Report", on_delete=models.CASCADE, related_name="safeguarding_case"
    )
    kek_version = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()
    sealed_evidence = models.BinaryField()  # nonce | AES-256-GCM(JSON), AAD binds case and report
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "privacy"
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"SafeguardingCase {self.public_id}"
