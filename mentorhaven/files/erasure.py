"""What erasing a person removes from files (privacy/erasure/registry.py): every share link they
made stops working, and every file they uploaded goes — its sealed blob from the disk, then its
row. The blob is removed inside the step's transaction, before the row: if the step is killed,
the row is still there and the next run removes it (removing a blob already gone is a no-op)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mentorhaven.files.models import ShareLink, StoredFile
from mentorhaven.files.services import file_store
from mentorhaven.privacy.erasure.registry import REMOVE, REVOKE, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@register("files.share_links", order=REVOKE)
def revoke_share_links(user: User) -> dict[str, int]:
    return {"share_links": ShareLink.objects.filter(created_by=user).delete()[0]}


@register("files.files", order=REMOVE)
def remove_files(user: User) -> dict[str, int]:
    store = file_store()
    removed = 0
    for file in StoredFile.objects.filter(uploader=user).only("pk", "storage_name"):
        if file.storage_name:
            store.delete(file.storage_name)
        file.delete()
        removed += 1
    return {"files": removed}
