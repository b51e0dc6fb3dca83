"""Reads of the files app. Each takes the viewer; reading a file's content is audited."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet

from mentorhaven.accounts.models import User
from mentorhaven.files.content import close_chunks, open_content, token_hash
from mentorhaven.files.models import ShareLink, ShareLinkAccess, StoredFile
from mentorhaven.kernel import audit
from mentorhaven.mentoring.models import Relationship

# secrets.token_urlsafe(32) gives 43 characters; anything else is not one of our tokens.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def files_for(*, viewer: User, relationship: Relationship) -> list[StoredFile]:
    """The files of a relationship's shared space. The caller has checked, through
    ``access_relationship_content``, that the viewer may see inside it. Their names are the
    uploaders' content: the list is one read on the record, naming every other uploader."""
    if viewer.pk not in relationship.participant_ids():
        return []
    files = list(StoredFile.objects.filter(relationship=relationship).select_related("uploader"))
    record_name_reads(viewer=viewer, files=files, relationship=relationship)
    return files


def record_name_reads(*, viewer: User, files: list[StoredFile], relationship=None) -> None:
    """One event for a look at file names (a list, or one file's page), naming the uploaders."""
    if not files:
        return
    relationship = relationship or files[0].relationship
    audit.record_access(
        viewer=viewer,
        subjects=sorted({f.uploader_id for f in files}),
        action="file.names_read",
        category="platform",
        target=relationship if len(files) > 1 or relationship is None else files[0],
        purpose="See the files shared in a mentoring relationship",
        organization=relationship.program.organization_id if relationship else None,
    )


def file_content_for(*, viewer: User, file: StoredFile) -> Iterator[bytes]:
    """The plaintext chunks of a file the viewer may read (``access_file``), recorded as a read
    of the uploader's data. Raises ``Erased`` (before anything is recorded or sent) when the
    uploader has been shredded, ``Unreadable`` when the stored content fails its integrity
    check (reported to the security officers, never served)."""
    chunks = open_content(file)
    try:
        audit.record_access(
            viewer=viewer,
            subject=file.uploader_id,
            action="file.read",
            category="platform",
            target=file,
            purpose="Download a file shared in a mentoring relationship",
            organization=file.relationship.program.organization_id if file.relationship else None,
        )
    except BaseException:
        close_chunks(chunks)
        raise
    return chunks


def share_links_for(*, viewer: User, file: StoredFile) -> QuerySet[ShareLink]:
    """The viewer's own links to a file, each with its most recent accesses."""
    return ShareLink.objects.filter(file=file, created_by=viewer).prefetch_related(
        Prefetch("accesses", queryset=ShareLinkAccess.objects.order_by("-occurred_at", "-pk"))
    )


def share_link_by_token(token: str) -> ShareLink | None:
    """The link a token opens (revoked and expired ones included: their use is logged), or
    None. Only the token's hash is looked up; the token itself is never stored."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return (
        ShareLink.objects.filter(token_hash=token_hash(token))
        .select_related("file__uploader", "file__relationship__program")
        .first()
    )
