"""Reading a stored file and naming a share link: the pieces both services (writes) and
selectors (reads) use, so that neither has to import the other."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from mentorhaven.files.models import StoredFile
from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import Unreadable
from mentorhaven.kernel.integrity import report_integrity_failure
from mentorhaven.kernel.storage import EncryptedFileStore


def file_store() -> EncryptedFileStore:
    return EncryptedFileStore()


def open_content(file: StoredFile) -> Iterator[bytes]:
    """The file's plaintext chunks; ``Erased`` or ``Unreadable`` (reported) before any is sent."""
    try:
        return file_store().open(
            subject=file.uploader_id, name=file.storage_name, binding=file.content_binding()
        )
    except vault.VaultError:
        report_integrity_failure(
            model=StoredFile._meta.label_lower,
            column="content",
            row=str(file.public_id),
            subject_id=file.uploader_id,
        )
        raise Unreadable() from None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def close_chunks(chunks) -> None:
    """Release the stored file behind a chunk stream that will not be sent after all."""
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
