"""Who may see or act on a file or a share link.

A file in a relationship's shared space is for the relationship's two participants, under the
same rule as everything else inside it (``mentoring.access.content_relationships``: the mentee
always, the mentor only while the relationship is active). Its uploader always reaches their own
file, to read it or delete it. Only the uploader acts on it: delete, create and revoke links.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from mentorhaven.accounts.models import User
from mentorhaven.files.models import ShareLink, StoredFile
from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.mentoring.access import content_relationships


def visible_files(viewer: User) -> QuerySet[StoredFile]:
    """Files the viewer may read: their own, and those in relationships whose inside they see."""
    if not is_person(viewer):
        return StoredFile.objects.none()
    return StoredFile.objects.filter(
        Q(uploader=viewer) | Q(relationship__in=content_relationships(viewer))
    )


def access_file(viewer: User, public_id: Any, *, write: bool = False) -> StoredFile:
    """The file if ``viewer`` may read it, else NotFound (missing and forbidden look the same).

    ``write=True`` (delete, share links) is for the uploader alone: the other participant may
    read the file but gets PermissionDenied.
    """
    file = fetch(
        visible_files(viewer).select_related("uploader", "relationship__program"),
        public_id,
    )
    if write and file.uploader_id != viewer.pk:
        raise PermissionDenied()
    return file


def access_share_link(viewer: User, public_id: Any, *, write: bool = False) -> ShareLink:
    """A share link, for the person who created it only (everyone else: NotFound)."""
    if not is_person(viewer):
        raise NotFound()
    return fetch(
        ShareLink.objects.filter(created_by=viewer, file__uploader=viewer).select_related("file"),
        public_id,
    )
