"""Data requests of the privacy app: exports of everything MentorHaven keeps about a person."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mentorhaven.kernel import vault
from mentorhaven.kernel.fields import make_binding


class ExportJob(models.Model):
    """One data export (GDPR Art. 15 and 20). The archive is stored sealed under the person's
    own data key, so erasing them erases it too; it is deleted once the "exports" retention
    period is over (``services.export_lifetimes``: 7 days unless an organization chose 1-30). The
    download link's token is shown once and kept only as its SHA-256."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired and deleted"

    class Origin(models.TextChoices):
        SELF = "self", "Requested by the person"
        OPERATOR = "operator", "Made by an operator"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.SELF)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(default=0)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    link_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Export {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def archive_binding(self) -> vault.Binding:
        """Where the sealed archive belongs: another job's archive does not decrypt here."""
        return make_binding("privacy_exportjob", "archive", self.public_id, self.user_id, (), ())


# Erasure requests and safeguarding cases live in their package (privacy/erasure/models.py).
from mentorhaven.privacy.erasure.models import ErasureRequest, SafeguardingCase  # noqa: E402

__all__ = ["ErasureRequest", "ExportJob", "SafeguardingCase"]
