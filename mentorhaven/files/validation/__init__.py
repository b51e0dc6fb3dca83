"""Deciding whether an upload may be kept, and producing the copy that is.

``inspect_upload`` is the single entry point. It copies the upload in bounded chunks (refusing
it the moment it passes the size limit, whatever Content-Length claimed), recognises its type
from content against the allow-list in ``kinds``, runs the checks for that type, re-encodes
pictures and rewrites PDFs and office documents without their metadata, and returns the result
ready for encrypted storage. Every refusal is a ``ValidationFailed`` with a specific ``code``.

Nothing here touches the database: it is pure, and safe to call before any row exists.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from dataclasses import dataclass
from typing import IO, NoReturn, Protocol

from django.utils.translation import gettext_lazy as _

from .archives import check_office_archive
from .content import check_text, clean_pdf
from .images import clean_image
from .kinds import (
    ALLOWED_KINDS,
    CSV,
    GIF,
    JPEG,
    PDF,
    PNG,
    TEXT,
    WEBP,
    FileKind,
    Shape,
    kind_for_extension,
    sniff_shape,
)
from .limits import DEFAULT_LIMITS, UploadLimits, refuse
from .names import declared_extension, sanitize_filename
from .office import clean_office
from .video import VIDEO_KINDS, check_video

__all__ = [
    "ALLOWED_KINDS",
    "DEFAULT_LIMITS",
    "FileKind",
    "InspectedFile",
    "UploadLimits",
    "inspect_upload",
    "inspect_video",
    "sanitize_filename",
]

_HEAD_BYTES = 8 * 1024
_IMAGE_SHAPES = {Shape.PNG: PNG, Shape.JPEG: JPEG, Shape.GIF: GIF, Shape.WEBP: WEBP}


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass
class InspectedFile:
    """An accepted upload. ``content`` is positioned at 0; close it (or use ``with``) when done."""

    content: IO[bytes]
    kind: FileKind
    mime_type: str
    charset: str | None  # "utf-8" for text kinds, None otherwise
    safe_name: str
    size: int  # bytes of the cleaned content
    sha256: str  # hex digest of the cleaned content
    received_size: int  # bytes received, before cleaning
    metadata_removed: bool  # True when the content was rewritten to drop metadata

    def close(self) -> None:
        self.content.close()

    def __enter__(self) -> InspectedFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def inspect_upload(
    fileobj: Readable,
    *,
    declared_name: str,
    max_bytes: int,
    limits: UploadLimits = DEFAULT_LIMITS,
) -> InspectedFile:
    """Check one upload and return its cleaned content, or raise ``ValidationFailed``.

    ``fileobj`` needs only ``read(n)``; it is read from where it stands, in chunks of
    ``limits.chunk_bytes``, and never more than ``max_bytes + 1`` bytes are taken from it.
    ``declared_name`` is the uploader's filename: used for the stored name and to tell CSV from
    plain text, and refused when it claims a different allowed type than the content has.
    """
    received = _receive(fileobj, max_bytes=max_bytes, limits=limits)
    try:
        return _inspect(
            received.spool, size=received.size, declared_name=declared_name, limits=limits
        )
    except BaseException:
        received.spool.close()
        raise


def inspect_video(
    fileobj: Readable,
    *,
    declared_name: str,
    max_bytes: int,
    limits: UploadLimits = DEFAULT_LIMITS,
) -> InspectedFile:
    """Check one video upload (MP4 or WebM, ``video.py``) and return it, unchanged, or raise
    ``ValidationFailed``. Received like any upload: in bounded chunks, refused past
    ``max_bytes``, spooled to disk beyond ``limits.spool_memory_bytes``."""
    received = _receive(fileobj, max_bytes=max_bytes, limits=limits)
    spool = received.spool
    try:
        kind = check_video(spool, size=received.size)
        _refuse_if_zip_inside(spool)
        claimed = declared_extension(declared_name)
        named = next((k for k in VIDEO_KINDS if claimed in k.extensions), None)
        if claimed and named is not None and named is not kind:
            refuse(
                _("The file's name says it is a different type of file than its content."),
                "file_type_mismatch",
            )
        safe_name = sanitize_filename(
            declared_name,
            extension=claimed if claimed in kind.extensions else kind.default_extension,
            max_bytes=limits.name_max_bytes,
        )
        out_size, digest = _measure(spool, chunk_bytes=limits.chunk_bytes)
    except BaseException:
        spool.close()
        raise
    return InspectedFile(
        content=spool,
        kind=kind,
        mime_type=kind.mime_type,
        charset=None,
        safe_name=safe_name,
        size=out_size,
        sha256=digest,
        received_size=received.size,
        metadata_removed=False,
    )


@dataclass
class _Received:
    spool: IO[bytes]
    size: int


def _receive(fileobj: Readable, *, max_bytes: int, limits: UploadLimits) -> _Received:
    spool = tempfile.SpooledTemporaryFile(max_size=limits.spool_memory_bytes)  # noqa: SIM115
    size = 0
    try:
        while True:
            # Ask for one byte past the limit, never more, so an endless stream costs nothing
            # beyond the limit itself.
            chunk = fileobj.read(min(limits.chunk_bytes, max_bytes + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                refuse(_("This file is too large."), "file_too_large", max_bytes=max_bytes)
            spool.write(chunk)
        if size == 0:
            refuse(_("This file is empty."), "file_empty")
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return _Received(spool, size)


def _inspect(
    spool: IO[bytes], *, size: int, declared_name: str, limits: UploadLimits
) -> InspectedFile:
    head = spool.read(_HEAD_BYTES)
    shape = sniff_shape(head)
    claimed_extension = declared_extension(declared_name)
    claimed_kind = kind_for_extension(claimed_extension)
    content: IO[bytes] = spool
    cleaned = False

    if shape == Shape.UNKNOWN_BINARY:
        refuse(_("This type of file is not allowed."), "file_type_not_allowed")
    if shape == Shape.ZIP:
        kind = check_office_archive(spool, size=size, limits=limits)
        if b"%PDF-" in head[:1024]:
            _refuse_polyglot()
    else:
        _refuse_if_zip_inside(spool)
        if shape == Shape.PDF:
            kind = PDF
        elif shape in _IMAGE_SHAPES:
            kind = _IMAGE_SHAPES[shape]
        else:
            check_text(spool, chunk_bytes=limits.chunk_bytes)
            kind = CSV if claimed_kind is CSV else TEXT

    if (
        claimed_kind is not None
        and claimed_kind is not kind
        and not (claimed_kind.is_text and kind.is_text)
    ):
        refuse(
            _("The file's name says it is a different type of file than its content."),
            "file_type_mismatch",
        )
    if kind.is_image:
        content = clean_image(spool, kind=kind, limits=limits)
        spool.close()
        cleaned = True
    elif kind is PDF:
        content = clean_pdf(
            spool,
            max_objects=limits.pdf_max_objects,
            spool_memory_bytes=limits.spool_memory_bytes,
        )
        spool.close()
        cleaned = True
    elif shape == Shape.ZIP:
        # Office documents: empty property parts, pictures re-encoded, no time stamps (office.py).
        content = clean_office(spool, limits=limits)
        spool.close()
        cleaned = True

    extension = claimed_extension if claimed_extension in kind.extensions else None
    safe_name = sanitize_filename(
        declared_name,
        extension=extension or kind.default_extension,
        max_bytes=limits.name_max_bytes,
    )
    out_size, digest = _measure(content, chunk_bytes=limits.chunk_bytes)
    return InspectedFile(
        content=content,
        kind=kind,
        mime_type=kind.mime_type,
        charset="utf-8" if kind.is_text else None,
        safe_name=safe_name,
        size=out_size,
        sha256=digest,
        received_size=size,
        metadata_removed=cleaned,
    )


def _refuse_if_zip_inside(spool: IO[bytes]) -> None:
    # A zip directory at the end of a PDF or a text file makes it a second file to zip readers.
    spool.seek(0)
    if zipfile.is_zipfile(spool):
        _refuse_polyglot()
    spool.seek(0)


def _refuse_polyglot() -> NoReturn:
    refuse(_("This file looks like two kinds of file at once."), "file_polyglot")


def _measure(content: IO[bytes], *, chunk_bytes: int) -> tuple[int, str]:
    content.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := content.read(chunk_bytes):
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    return size, digest.hexdigest()
