"""Retention policies, legal holds and the notices that warn inactive people.

Whose key encrypts what: a hold's reason is written by the admin who places it and is encrypted
under their key, bound to the hold's organization.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mentorhaven.kernel.fields import EncryptedTextField
from mentorhaven.programs.models import Organization, Program


class RetentionPolicy(models.Model):
    """An organization's (or one of its programs') retention period for one kind of record,
    replacing the default of ``domain.RULES``. A program's policy wins over its organization's."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="retention_policies"
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A ``domain.Kind`` or a kind another app registered: no fixed choices, checked by the service.
    category = models.CharField(max_length=40)
    days = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "category"],
                condition=models.Q(program__isnull=True),
                name="uniq_retention_policy_org",
            ),
            models.UniqueConstraint(
                fields=["program", "category"],
                condition=models.Q(program__isnull=False),
                name="uniq_retention_policy_program",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention of {self.category}: {self.days} days"


class LegalHold(models.Model):
    """Keep everything about a person, a relationship or a case (a safety report) past its
    retention and past an erasure request, until released. Exactly one target is set."""

    class Scope(models.TextChoices):
        PERSON = "person", "Person"
        RELATIONSHIP = "relationship", "Relationship"
        CASE = "case", "Case"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=12, choices=Scope.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    relationship = models.ForeignKey(
        "mentoring.Relationship", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "messaging.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = EncryptedTextField(subject_field="placed_by", bind=["organization"])
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["organization", "released_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        scope="person",
                        user__isnull=False,
                        relationship__isnull=True,
                        case__isnull=True,
                    )
                    | models.Q(
                        scope="relationship",
                        user__isnull=True,
                        relationship__isnull=False,
                        case__isnull=True,
                    )
                    | models.Q(
                        scope="case",
                        user__isnull=True,
                        relationship__isnull=True,
                        case__isnull=False,
                    )
                ),
                name="legal_hold_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class InactivityNotice(models.Model):
    """That a person who has not signed in for a long time was told their account will be
    erased (``domain.Rule.warn_days_before`` ahead). Signing in again makes it void."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inactivity_notice"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    erase_after = models.DateTimeField()

    def __str__(self) -> str:
        return f"Inactivity notice {self.pk}"
