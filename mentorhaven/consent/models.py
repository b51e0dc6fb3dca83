"""Consent records, restrictions of processing, data requests and data-protection officers.

Whose key encrypts what: the details of a data request are written by the requester and
encrypted under their key, bound to the organization and the kind of request.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.kernel.fields import EncryptedTextField
from mentorhaven.programs.models import Organization


class ConsentRecord(models.Model):
    """One opt-in or withdrawal, never changed afterwards (a database trigger refuses UPDATE):
    the newest record of a person and purpose is their current choice, the rest is history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records"
    )
    purpose = models.CharField(max_length=24, choices=Purpose.choices)
    given = models.BooleanField()
    # The version of the text shown and the SHA-256 of its exact words (domain.TEXTS).
    text_version = models.CharField(max_length=20)
    text_sha256 = models.CharField(max_length=64)
    method = models.CharField(max_length=16, choices=Method.choices)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "-recorded_at"])]

    def __str__(self) -> str:
        return f"Consent record {self.public_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Consent records are append-only: record a new one instead.")
        super().save(*args, **kwargs)


class DataProtectionOfficer(models.Model):
    """A person holding the organization's data-protection role: they work its request queue."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="data_protection_officers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dpo_roles"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="uniq_dpo_per_org")
        ]

    def __str__(self) -> str:
        return f"DPO {self.pk}"


class DataRequest(models.Model):
    """A request about one's data the person could not fulfil alone, with its statutory
    deadline (one month after receipt)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction of data I cannot edit"
        RESTRICTION = "restriction", "Restriction of processing"
        ACCESS = "access", "Access to my data"
        ERASURE = "erasure", "Erasure of my data"
        OBJECTION = "objection", "Objection to processing"
        OTHER = "other", "Another data-protection request"

    class Status(models.TextChoices):
        OPEN = "open", "Received"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        REFUSED = "refused", "Refused, with reasons sent"

    CLOSED = (Status.DONE, Status.REFUSED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_requests"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="data_requests"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    details = EncryptedTextField(
        subject_field="requester", bind=["organization", "kind"], null=True, blank=True
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"Data request {self.public_id}"

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


class Restriction(models.Model):
    """A person's restriction of processing: while it is active they are left out of matching,
    analytics and reminders. One active restriction per person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="restrictions"
    )
    request = models.ForeignKey(
        DataRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="restrictions"
    )
    started_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_restriction",
            )
        ]

    def __str__(self) -> str:
        return f"Restriction {self.public_id}"
