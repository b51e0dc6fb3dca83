"""The incident register: one incident per suspected breach, its log of notes, evidence and
decisions, and who was told.

Whose key encrypts what: an incident's description and affected systems are written by the
security officer who opens it and are encrypted under that officer's key, bound to the
incident's organization; each note, piece of evidence or decision is encrypted under its
author's key, bound to its incident. An officer's erasure therefore shreds what they wrote;
the stages, times and audit trail stay.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mentorhaven.kernel.fields import EncryptedTextField


class Incident(models.Model):
    class Stage(models.TextChoices):
        DETECT = "detect", "Detect"
        CONTAIN = "contain", "Contain"
        ASSESS = "assess", "Assess"
        NOTIFY = "notify", "Notify"
        CLOSED = "closed", "Closed"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "programs.Organization", on_delete=models.CASCADE, related_name="incidents"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The account believed compromised, when there is one (containment and impact start here).
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents_about",
    )
    severity = models.CharField(max_length=10, choices=Severity.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.DETECT)
    description = EncryptedTextField(subject_field="opened_by", bind=["organization"])
    affected_systems = EncryptedTextField(
        subject_field="opened_by", bind=["organization"], blank=True
    )
    detected_at = models.DateTimeField()
    # When the organization became aware: the regulator's 72 hours run from here.
    aware_at = models.DateTimeField(default=timezone.now)
    regulator_notified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-aware_at"]
        indexes = [models.Index(fields=["organization", "stage"], name="incident_org_stage")]

    def __str__(self) -> str:
        return f"Incident {self.public_id}"


class IncidentEntry(models.Model):
    """One line of an incident's log: a note, a piece of evidence, a decision, or a change of
    stage. Entries are only added, never edited."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        EVIDENCE = "evidence", "Evidence"
        DECISION = "decision", "Decision"
        STAGE = "stage", "Stage changed"
        ACTION = "action", "Action taken"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    stage = models.CharField(max_length=10, choices=Incident.Stage.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = EncryptedTextField(subject_field="author", bind=["incident"])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Incident entry {self.public_id}"


class Alert(models.Model):
    """A monitoring rule saw something unusual about one account: raised to the security
    officers of each organization the account belongs to, until dismissed or turned into an
    incident."""

    class Rule(models.TextChoices):
        MASS_READ = "mass_read", "Read many people's data in a short time"
        ACCESS_DENIED = "access_denied", "Many refused requests (id probing)"
        SIGN_IN_FAILURES = "sign_in_failures", "Repeated sign-in failures"
        SIGN_IN_LOCKOUT = "sign_in_lockout", "Sign-ins paused after failures"
        SECOND_FACTOR_RESET = "second_factor_reset", "Second factor removed or reset"
        BULK_EXPORT = "bulk_export", "Repeated data exports"
        TOKEN_NEW_ADDRESS = "token_new_address", "API token created from a new address"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "programs.Organization", on_delete=models.CASCADE, related_name="security_alerts"
    )
    rule = models.CharField(max_length=24, choices=Rule.choices)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_alerts",
    )
    count = models.PositiveIntegerField()
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    raised_at = models.DateTimeField(default=timezone.now)
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]
        indexes = [
            models.Index(
                fields=["organization", "rule", "account", "-raised_at"], name="alert_dedupe"
            )
        ]

    def __str__(self) -> str:
        return f"Alert {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.incident_id is None and self.dismissed_at is None


class IncidentNotice(models.Model):
    """That a person was told an incident may have affected their data: which notice (a fixed,
    translatable text chosen from ``domain.NOTICES``), when, and whether they have read it.
    The record of who was told when."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incident_notices"
    )
    template = models.CharField(max_length=24)
    notified_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-notified_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "user", "template"], name="uniq_incident_notice"
            )
        ]

    def __str__(self) -> str:
        return f"Incident notice {self.public_id}"
