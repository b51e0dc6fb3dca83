"""Writes about session notes (encrypted under the author's key)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.kernel.errors import PermissionDenied
from mentorhaven.mentoring.models import Note, Relationship
from mentorhaven.mentoring.services._common import (
    clean_text,
    content_audit,
    refuse_if_blocked,
    still_active,
)
from mentorhaven.mentoring.services.relationships import relationship_touch
from mentorhaven.programs.access import ensure_program_open


@transaction.atomic
def note_create(
    *, actor: User, relationship: Relationship, body: str, shared: bool = False
) -> Note:
    """A participant writes a note on an active relationship: private unless ``shared``."""
    if actor.pk not in relationship.participant_ids() or not still_active(relationship):
        raise PermissionDenied()
    refuse_if_blocked(actor, relationship)
    note = Note(
        relationship=relationship,
        author=actor,
        body=clean_text(body, required=True),
        shared=bool(shared),
    )
    note.save()
    content_audit(
        "note.create",
        actor=actor,
        target=note,
        subject=actor,
        relationship=relationship,
        purpose="Session note written",
        category="platform",
        extra={"shared": note.shared},
    )
    relationship_touch(relationship=relationship)
    return note


@transaction.atomic
def note_edit(
    *, actor: User, note: Note, body: str | None = None, shared: bool | None = None
) -> Note:
    """Only the author edits a note, at any time (it is their writing) — except that what the
    other participant reads (a shared note, or one being shared) does not change while the
    relationship is paused or once the other participant has blocked the author."""
    if actor.pk != note.author_id:
        raise PermissionDenied()
    ensure_program_open(note.relationship.program_id)
    if note.shared or shared:
        relationship = Relationship.objects.get(pk=note.relationship_id)
        if relationship.is_paused:
            raise PermissionDenied(
                _("This relationship is paused: you can read it but not write in it."),
                code="relationship_paused",
            )
        refuse_if_blocked(actor, relationship)
    if body is not None:
        note.body = clean_text(body, required=True)
    if shared is not None:
        note.shared = bool(shared)
    note.updated_at = timezone.now()
    note.save()
    content_audit(
        "note.edit",
        actor=actor,
        target=note,
        subject=actor,
        relationship=note.relationship,
        purpose="Session note edited",
        category="platform",
        extra={"shared": note.shared},
    )
    return note


@transaction.atomic
def note_delete(*, actor: User, note: Note) -> None:
    if actor.pk != note.author_id:
        raise PermissionDenied()
    content_audit(
        "note.delete",
        actor=actor,
        target=note,
        subject=actor,
        relationship=note.relationship,
        purpose="Session note deleted",
        category="platform",
    )
    note.delete()
