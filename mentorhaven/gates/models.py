"""Agreement versions and acceptances, training completions, break-glass grants.

Whose key encrypts what: a break-glass justification and its legal-exception reason are written
by the admin who files the request and are encrypted under that admin's key. An agreement's
text is program policy, published like a program description, and stays readable so that an
acceptance can be proved against it (its SHA-256 is kept on every acceptance).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mentorhaven.kernel.fields import EncryptedTextField


class AgreementVersion(models.Model):
    """One published version of a program's confidentiality agreement. The current version is
    the one not superseded; publishing a new one supersedes it, and everyone is asked again."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="agreement_versions"
    )
    number = models.PositiveIntegerField()
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="uniq_agreement_number"),
            models.UniqueConstraint(
                fields=["program"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement v{self.number}"


class AgreementAcceptance(models.Model):
    """A person accepted one version: the version (and so its number) and the hash of the
    text they were shown."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    text_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="uniq_agreement_acceptance")
        ]

    def __str__(self) -> str:
        return f"Acceptance {self.pk}"


class TrainingCompletion(models.Model):
    """A passed security-training quiz. Valid for a year from ``passed_at``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_completions"
    )
    module_version = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    passed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-passed_at"], name="training_user_recent")]

    def __str__(self) -> str:
        return f"Training {self.pk}"


class BreakGlassGrant(models.Model):
    """A request, by one admin, to read protected content in a narrow scope for a short time,
    approved (or not) by a second, different admin of the same organization."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a second admin"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REVOKED = "revoked", "Revoked"

    class Reason(models.TextChoices):
        SAFEGUARDING = "safeguarding", "Safeguarding"
        LEGAL = "legal", "Legal obligation"

    class Scope(models.TextChoices):
        PERSON = "person", "One person"
        RELATIONSHIP = "relationship", "One relationship"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "programs.Organization", on_delete=models.CASCADE, related_name="break_glass_grants"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="break_glass_about"
    )
    relationship = models.ForeignKey(
        "mentoring.Relationship", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    scope = models.CharField(max_length=16, choices=Scope.choices)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    justification = EncryptedTextField(subject_field="requested_by", bind=["subject"])
    legal_exception = models.BooleanField(default=False)
    legal_exception_reason = EncryptedTextField(
        subject_field="requested_by", bind=["subject", "legal_exception"], null=True, blank=True
    )
    hours = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=1, hours__lte=24), name="break_glass_at_most_24h"
            ),
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("requested_by")),
                name="break_glass_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"Break-glass grant {self.public_id}"

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return (
            self.status == self.Status.APPROVED
            and self.expires_at is not None
            and self.expires_at > at
        )
