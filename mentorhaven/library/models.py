"""The program library: articles, links, documents and videos, each for a program and a role.

Whose key encrypts what: a resource's text (title, description, tags, an article's body, a
link's address) is written by the program admin who last edited it (``author``) and encrypted
under that admin's key, bound to the program. A document's or video's content and file name use
the key of the admin who uploaded it (``uploader``), bound the same way: a row or blob moved to
another program does not decrypt. How often a resource was opened is one counter per resource
(``view_count``): no row says who opened what (docs/privacy.md, "Library").
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel import vault
from mentorhaven.kernel.fields import EncryptedTextField, is_unavailable, make_binding
from mentorhaven.programs.models import Program


class Resource(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        LINK = "link", _("Link")
        DOCUMENT = "document", _("Document")
        VIDEO = "video", _("Video")

    class Audience(models.TextChoices):
        ALL = "all", _("Everyone in the program")
        MENTEE = "mentee", _("Mentees")
        MENTOR = "mentor", _("Mentors")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="resources")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.ALL)
    title = EncryptedTextField(subject_field="author", bind=["program"])
    description = EncryptedTextField(
        subject_field="author", bind=["program"], null=True, blank=True
    )
    tags = EncryptedTextField(subject_field="author", bind=["program"], null=True, blank=True)
    body = EncryptedTextField(subject_field="author", bind=["program"], null=True, blank=True)
    url = EncryptedTextField(subject_field="author", bind=["program"], null=True, blank=True)
    filename = EncryptedTextField(subject_field="uploader", bind=["program"], null=True, blank=True)
    mime_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(default=0)
    storage_name = models.CharField(max_length=200, null=True, blank=True, unique=True)
    view_count = models.PositiveBigIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["program", "archived_at", "audience"])]

    def __str__(self) -> str:
        return f"Resource {self.public_id}"

    @property
    def has_file(self) -> bool:
        return self.kind in (self.Kind.DOCUMENT, self.Kind.VIDEO)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def tag_list(self) -> list[str]:
        text = self.tags
        if not text or is_unavailable(text):
            return []
        return [t for t in str(text).split(",") if t]

    def content_binding(self) -> vault.Binding:
        """Where the sealed content belongs: its resource, uploader and program."""
        assert self.uploader_id is not None
        return make_binding(
            "library_resource",
            "content",
            self.public_id,
            self.uploader_id,
            ("program",),
            (self.program_id,),
        )
