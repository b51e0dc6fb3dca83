"""Rewriting office documents without the details about people that they carry besides their text.

A .docx, .xlsx or .pptx (and their OpenDocument cousins) is a zip of parts. Besides the document
itself it holds properties (author, last editor, company, manager, custom fields, print and
edit times), a thumbnail, and the pictures pasted in, each with the EXIF of the phone that took
it (GPS position, camera serial, time). The archive has already been checked (``archives``); here
it is copied part by part into a new archive:

* the property parts are replaced by empty ones of the same kind, so every reader still opens the
  document and its references stay valid;
* every picture in a format we clean (JPEG, PNG, GIF, WebP), thumbnails included, is re-encoded
  from its pixels by ``images.clean_image``, under the same limits as an uploaded picture;
* every entry gets a fixed time stamp and no extra fields (they record when and on which machine
  the part was written).

Parts are streamed from one archive to the other; only one picture at a time is decoded.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from typing import IO

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.errors import ValidationFailed

from .images import clean_image
from .kinds import GIF, JPEG, PNG, WEBP, Shape, sniff_shape
from .limits import UploadLimits, refuse

_PICTURES = {Shape.JPEG: JPEG, Shape.PNG: PNG, Shape.GIF: GIF, Shape.WEBP: WEBP}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EMPTY_PROPERTIES = {
    # OOXML: core (author, dates, title...), extended (company, manager, editing time...), custom.
    "docprops/core.xml": _XML
    + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms='
    '"http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>',
    "docprops/app.xml": _XML
    + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"/>',
    "docprops/custom.xml": _XML
    + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'custom-properties"/>',
    # OpenDocument: meta.xml holds the creator, dates, editing cycles and user fields.
    "meta.xml": _XML
    + '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'office:version="1.2"><office:meta/></office:document-meta>',
}
_PEEK_BYTES = 16


def clean_office(source: IO[bytes], *, limits: UploadLimits) -> IO[bytes]:
    """Return a copy of the (already checked) office document without personal metadata."""
    out = tempfile.SpooledTemporaryFile(max_size=limits.spool_memory_bytes)  # noqa: SIM115
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive, zipfile.ZipFile(out, "w") as copy:
            for entry in archive.infolist():
                _copy_entry(archive, copy, entry, limits)
    except ValidationFailed:
        out.close()
        raise
    except Exception:
        out.close()
        # The archive passed its checks, so this is a damaged part; the answer is a refusal.
        refuse(_("This document is damaged or could not be read."), "archive_unreadable")
    out.seek(0)
    return out


def _copy_entry(
    archive: zipfile.ZipFile, copy: zipfile.ZipFile, entry: zipfile.ZipInfo, limits: UploadLimits
) -> None:
    fresh = zipfile.ZipInfo(entry.filename, date_time=_FIXED_TIME)
    fresh.compress_type = entry.compress_type
    fresh.external_attr = 0o644 << 16
    if entry.is_dir():
        copy.writestr(fresh, b"")
        return
    empty = _EMPTY_PROPERTIES.get(entry.filename.casefold())
    if empty is not None:
        copy.writestr(fresh, empty.encode())
        return
    with archive.open(entry) as member:
        head = member.read(_PEEK_BYTES)
    picture = _PICTURES.get(sniff_shape(head)) if head else None
    if picture is None:
        with archive.open(entry) as member, copy.open(fresh, "w") as target:
            shutil.copyfileobj(member, target, limits.chunk_bytes)
        return
    with tempfile.SpooledTemporaryFile(max_size=limits.spool_memory_bytes) as spool:
        with archive.open(entry) as member:
            shutil.copyfileobj(member, spool, limits.chunk_bytes)
        cleaned = clean_image(spool, kind=picture, limits=limits)
    with cleaned, copy.open(fresh, "w") as target:
        shutil.copyfileobj(cleaned, target, limits.chunk_bytes)
