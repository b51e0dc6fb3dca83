"""Encrypted files in a relationship's shared space, and the share links that let one out.

Whose key encrypts what: a file's content (the sealed blob in storage) and its name use the
uploader's key, so shredding the uploader makes both unreadable everywhere at once. A share
link keeps only the SHA-256 of its token and, when it has one, the Argon2 hash of its password.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mentorhaven.kernel import vault
from mentorhaven.kernel.fields import EncryptedTextField, make_binding
from mentorhaven.mentoring.models import Relationship


class StoredFile(models.Model):
    """One uploaded file. The content lives sealed in the file store under ``storage_name``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_files"
    )
    # The shared space the file belongs to; null for a file that is only the uploader's so far.
    relationship = models.ForeignKey(
        Relationship, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    # Hook for the messaging app: the public id of the message this file is attached to. Kept a
    # plain UUID so that this app does not depend on messaging; access to attached files stays
    # with the uploader until messaging adds its own rule.
    message_ref = models.UUIDField(null=True, blank=True, db_index=True)
    # Sanitized, never the raw name; bound (like the content) to the relationship.
    filename = EncryptedTextField(subject_field="uploader", bind=["relationship"])
    mime_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    storage_name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["relationship", "created_at"])]

    def __str__(self) -> str:
        return f"File {self.public_id}"

    def content_binding(self) -> vault.Binding:
        """Where the sealed content belongs: a blob copied to another file, or a file moved to
        another relationship in SQL, does not decrypt."""
        return make_binding(
            "files_storedfile",
            "content",
            self.public_id,
            self.uploader_id,
            ("relationship",),
            (self.relationship_id,),
        )


class ShareLink(models.Model):
    """A link that lets someone outside the platform download one file, until it expires, runs
    out of downloads or is revoked. The token itself is shown once and never stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    password_hash = models.CharField(max_length=256, blank=True)  # "" = no password
    expires_at = models.DateTimeField()
    max_downloads = models.PositiveIntegerField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Password attempts taken in the current window (_attempt_reserve in
    # files/services/share_links.py): counted in the row, so every server process sees the same
    # count.
    password_failures = models.PositiveSmallIntegerField(default=0)
    password_window_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="share_link_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Share link {self.public_id}"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def downloads_left(self) -> int | None:
        if self.max_downloads is None:
            return None
        return max(0, self.max_downloads - self.download_count)

    def unavailable_reason(self, now=None) -> str | None:
        """Why the link no longer serves its file, or None while it does."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return ShareLinkAccess.Outcome.REVOKED
        if now >= self.expires_at:
            return ShareLinkAccess.Outcome.EXPIRED
        if self.max_downloads is not None and self.download_count >= self.max_downloads:
            return ShareLinkAccess.Outcome.LIMIT_REACHED
        return None


class ShareLinkAccess(models.Model):
    """One visit to a share link, for its owner to see: when, and what happened. No address,
    no browser details: the owner learns that the link was used, not who used it."""

    class Outcome(models.TextChoices):
        OPENED = "opened", "Link page opened"
        DOWNLOADED = "downloaded", "File downloaded"
        NOT_COUNTED = "not_counted", "Probe without content (HEAD, range or prefetch)"
        WRONG_PASSWORD = "wrong_password", "Wrong password"
        THROTTLED = "throttled", "Refused: too many wrong passwords"
        PASSWORD_NEEDED = "password_needed", "Refused: password required"
        EXPIRED = "expired", "Refused: link expired"
        REVOKED = "revoked", "Refused: link revoked"
        UNREADABLE = "unreadable", "Refused: the stored file failed its integrity check"
        LIMIT_REACHED = "limit_reached", "Refused: download limit reached"
        ERASED = "erased", "Refused: file erased"

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accesses")
    occurred_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["link", "occurred_at"])]

    def __str__(self) -> str:
        return f"Access to share link {self.link_id}: {self.outcome}"

    @property
    def succeeded(self) -> bool:
        return self.outcome in (self.Outcome.OPENED, self.Outcome.DOWNLOADED)
