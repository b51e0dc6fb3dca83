"""Office documents are zip archives: judge them from their directory, without extracting them.

A zip bomb is small on the wire and huge once unpacked; a hostile archive may also hide names
that climb out of a folder, nest further archives, carry macros, or describe its entries twice
(the central directory at the end and a local header before each entry) in ways that disagree
so that different readers see different files. All of that is visible in the headers, so it is
checked there: the only decompression is a few hundred bytes at the start of each entry, enough
to recognise an archive or a program hiding under an innocent name.
"""

from __future__ import annotations

import struct
import zipfile
from typing import IO, NoReturn
from xml.etree import ElementTree

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.errors import ValidationFailed

from .kinds import ODF_MIMETYPES, OOXML_MAIN_PARTS, FileKind, Shape, sniff_shape
from .limits import UploadLimits, refuse

_EOCD = struct.Struct("<4s4H2IH")  # end of central directory record, 22 bytes
_LOCAL = struct.Struct("<4s5H3I2H")  # local file header, 30 bytes
_CENTRAL = struct.Struct("<4s6H3I5H2I")  # central directory record, 46 bytes
# General-purpose flags we refuse: encrypted (bit 0), strong encryption (6), masked headers (13).
_ENCRYPTION_FLAGS = 0x1 | 0x40 | 0x2000
_MAX_COMMENT = 0xFFFF
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_NESTED_SUFFIXES = (
    ".zip", ".jar", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".zst", ".cab", ".iso",
    ".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm", ".odt", ".ods", ".odp", ".exe", ".dll",
)  # fmt: skip
_PEEK_BYTES = 512


def check_office_archive(stream: IO[bytes], *, size: int, limits: UploadLimits) -> FileKind:
    """Return the office kind of a zip upload, or refuse it."""
    try:
        return _check(stream, size=size, limits=limits)
    except ValidationFailed:
        raise
    except Exception:
        # zipfile meets hostile input here; whatever it trips over, the answer is a refusal.
        _refuse_unreadable()


def _check(stream: IO[bytes], *, size: int, limits: UploadLimits) -> FileKind:
    entry_count, directory_offset, directory_size = _read_end_record(stream, size=size)
    if entry_count > limits.zip_max_entries:
        refuse(
            _("This document contains too many parts."),
            "archive_too_many_entries",
            max_entries=limits.zip_max_entries,
        )
    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        entries = archive.infolist()
        if not entries or len(entries) != entry_count:
            _refuse_unreadable()
        _check_entries(entries, limits)
        _check_directory(stream, entries, offset=directory_offset, size=directory_size)
        _check_local_headers(stream, entries, directory_offset=directory_offset)
        kind = _office_kind(archive, entries, limits)
        _check_nothing_nested(archive, entries)
    return kind


def _refuse_unreadable() -> NoReturn:
    refuse(_("This document is damaged or could not be read."), "archive_unreadable")


def _refuse_inconsistent() -> NoReturn:
    refuse(_("This document's structure is inconsistent."), "archive_inconsistent")


def _read_end_record(stream: IO[bytes], *, size: int) -> tuple[int, int, int]:
    """Entry count, central directory offset and size, read before any entry is parsed.

    Reading the count ourselves lets a declared million entries be refused before ``zipfile``
    builds an object for each. Zip64 is refused: office documents within our limits never need it.
    """
    tail_length = min(size, _EOCD.size + _MAX_COMMENT)
    stream.seek(size - tail_length)
    tail = stream.read(tail_length)
    position = tail.rfind(b"PK\x05\x06")
    found = position >= 0
    while position >= 0:
        record = tail[position : position + _EOCD.size]
        if len(record) == _EOCD.size:
            fields = _EOCD.unpack(record)
            disk, cd_disk, on_disk, entries, cd_size, cd_offset, comment_length = fields[1:]
            # The record that ends exactly at the end of the file is the real one; anything after
            # it would be data hidden from zip readers but seen by others.
            if position + _EOCD.size + comment_length == len(tail):
                if disk or cd_disk or entries == 0xFFFF or 0xFFFFFFFF in (cd_size, cd_offset):
                    _refuse_unreadable()
                if on_disk != entries:
                    _refuse_inconsistent()
                end_offset = size - tail_length + position
                if cd_offset + cd_size != end_offset:
                    _refuse_inconsistent()
                return entries, cd_offset, cd_size
        position = tail.rfind(b"PK\x05\x06", 0, position)
    if found:
        _refuse_inconsistent()  # an end record followed by bytes that zip readers would ignore
    _refuse_unreadable()


def _check_entries(entries: list[zipfile.ZipInfo], limits: UploadLimits) -> None:
    seen: set[str] = set()
    total = 0
    for entry in entries:
        _check_entry_name(entry.filename)
        folded = entry.filename.casefold()
        if folded in seen:
            _refuse_inconsistent()
        seen.add(folded)
        if entry.flag_bits & _ENCRYPTION_FLAGS:
            refuse(_("Encrypted documents cannot be uploaded."), "archive_encrypted")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _refuse_unreadable()
        if entry.compress_type == zipfile.ZIP_STORED and entry.compress_size != entry.file_size:
            _refuse_inconsistent()
        total += entry.file_size
        if total > limits.zip_max_total_uncompressed:
            refuse(
                _("This document would be too large once opened."),
                "archive_too_large",
                max_uncompressed_bytes=limits.zip_max_total_uncompressed,
            )
        if entry.file_size > limits.zip_ratio_floor_bytes and entry.file_size > (
            limits.zip_max_entry_ratio * max(entry.compress_size, 1)
        ):
            refuse(
                _("This document is compressed suspiciously well."),
                "archive_ratio",
                max_ratio=limits.zip_max_entry_ratio,
            )


def _check_entry_name(name: str) -> None:
    parts = name.split("/")
    unsafe = (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in name
        or any(part in ("..", ".") for part in parts)
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
    )
    if unsafe:
        refuse(_("This document contains unsafe paths."), "archive_unsafe_path")


_DESCRIPTOR = struct.Struct("<3I")  # crc, compressed size, size; optionally after "PK\x07\x08"


def _check_directory(
    stream: IO[bytes], entries: list[zipfile.ZipInfo], *, offset: int, size: int
) -> None:
    """Walk the central directory record by record, as a strict reader does: the records must
    be the entries ``zipfile`` found, on disk 0, and end exactly where the end record says the
    directory ends (a record whose lengths run past it is read differently by other readers)."""
    stream.seek(offset)
    directory = stream.read(size)
    position = 0
    for entry in entries:
        raw = directory[position : position + _CENTRAL.size]
        if len(raw) != _CENTRAL.size:
            _refuse_inconsistent()
        fields = _CENTRAL.unpack(raw)
        name_length, extra_length, comment_length, disk = fields[10:14]
        name = directory[position + _CENTRAL.size : position + _CENTRAL.size + name_length]
        if (
            fields[0] != b"PK\x01\x02"
            or disk != 0
            or fields[16] != entry.header_offset
            or name != entry.orig_filename.encode("utf-8" if fields[3] & 0x800 else "cp437")
        ):
            _refuse_inconsistent()
        position += _CENTRAL.size + name_length + extra_length + comment_length
    if position != size:
        _refuse_inconsistent()


def _check_local_headers(
    stream: IO[bytes], entries: list[zipfile.ZipInfo], *, directory_offset: int
) -> None:
    """Each local header (and data descriptor) must repeat what the central directory says, and
    the entries must fill the file from its first byte to the directory, end to end.

    A reader that trusts the directory and one that walks the local headers one after another
    then see the same files: no entry may overlap another (how the densest zip bombs reuse one
    compressed block many times) and no bytes may sit between entries (where a second, hidden
    entry would be found only by the second kind of reader).
    """
    spans: list[tuple[int, int]] = []
    for entry in entries:
        stream.seek(entry.header_offset)
        raw = stream.read(_LOCAL.size)
        if len(raw) != _LOCAL.size:
            _refuse_inconsistent()
        fields = _LOCAL.unpack(raw)
        signature, flags, method = fields[0], fields[2], fields[3]
        crc, csize, usize, name_length, extra_length = fields[6:]
        name = stream.read(name_length)
        encoding = "utf-8" if flags & 0x800 else "cp437"
        expected_name = entry.orig_filename.encode(encoding, errors="replace")
        if (
            signature != b"PK\x03\x04"
            or method != entry.compress_type
            or flags != entry.flag_bits
            or name != expected_name
        ):
            _refuse_inconsistent()
        described = (entry.CRC, entry.compress_size, entry.file_size)
        data_end = entry.header_offset + _LOCAL.size + name_length + extra_length
        data_end += entry.compress_size
        if flags & 0x8:
            data_end += _check_descriptor(stream, data_end, described)
        elif (crc, csize, usize) != described:
            _refuse_inconsistent()
        spans.append((entry.header_offset, data_end))
    spans.sort()
    edges = [0] + [end for _start, end in spans]
    starts = [start for start, _end in spans] + [directory_offset]
    if edges != starts:
        _refuse_inconsistent()  # a gap (hidden bytes) or an overlap (shared data) somewhere


def _check_descriptor(stream: IO[bytes], offset: int, described: tuple[int, int, int]) -> int:
    """The data descriptor at ``offset`` must repeat the directory; returns its length."""
    stream.seek(offset)
    raw = stream.read(4 + _DESCRIPTOR.size)
    signed = raw[:4] == b"PK\x07\x08"
    body = raw[4:] if signed else raw[: _DESCRIPTOR.size]
    if len(body) != _DESCRIPTOR.size or _DESCRIPTOR.unpack(body) != described:
        _refuse_inconsistent()
    return _DESCRIPTOR.size + (4 if signed else 0)


def _office_kind(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limits: UploadLimits
) -> FileKind:
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" in names:
        return _ooxml_kind(archive, names, limits)
    first = entries[0]
    if first.filename == "mimetype":
        return _odf_kind(archive, first, names)
    refuse(_("This type of file is not allowed."), "file_type_not_allowed")


def _ooxml_kind(archive: zipfile.ZipFile, names: set[str], limits: UploadLimits) -> FileKind:
    manifest = _read_small(archive, "[Content_Types].xml", limits.zip_max_manifest_bytes)
    # A document type declaration is the door to entity expansion; real manifests never have one.
    if b"<!doctype" in manifest.lower() or b"<!entity" in manifest.lower():
        _refuse_unreadable()
    try:
        root = ElementTree.fromstring(manifest)  # noqa: S314 - no DTD, checked just above
    except ElementTree.ParseError:
        _refuse_unreadable()
    kinds: set[FileKind] = set()
    for element in root:
        content_type = (element.get("ContentType") or "").strip().lower()
        if "macroenabled" in content_type or "vbaproject" in content_type:
            _refuse_macros()
        if element.tag != f"{_CONTENT_TYPES_NS}Override":
            continue
        for main_type, kind in OOXML_MAIN_PARTS.items():
            if content_type == main_type.lower():
                if (element.get("PartName") or "").lstrip("/") not in names:
                    _refuse_inconsistent()
                kinds.add(kind)
    if any(name.lower().endswith(("vbaproject.bin", "vbadata.xml")) for name in names):
        _refuse_macros()
    if len(kinds) != 1:
        refuse(_("This type of file is not allowed."), "file_type_not_allowed")
    return kinds.pop()


def _odf_kind(archive: zipfile.ZipFile, first: zipfile.ZipInfo, names: set[str]) -> FileKind:
    if first.compress_type != zipfile.ZIP_STORED or first.file_size > 100:
        refuse(_("This type of file is not allowed."), "file_type_not_allowed")
    mimetype = _read_small(archive, "mimetype", 100).decode("ascii", errors="replace").strip()
    kind = ODF_MIMETYPES.get(mimetype)
    if kind is None or "content.xml" not in names:
        refuse(_("This type of file is not allowed."), "file_type_not_allowed")
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        _refuse_macros()
    return kind


def _refuse_macros() -> NoReturn:
    refuse(_("Documents with macros cannot be uploaded."), "office_macros")


def _read_small(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > limit:
        _refuse_unreadable()
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) != info.file_size:
        _refuse_inconsistent()
    return data


def _check_nothing_nested(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    for entry in entries:
        lowered = entry.filename.lower()
        if lowered.endswith(_NESTED_SUFFIXES) or "/embeddings/" in f"/{lowered}":
            _refuse_nested()
        if entry.is_dir() or entry.file_size == 0:
            continue
        with archive.open(entry) as member:
            head = member.read(_PEEK_BYTES)
        if sniff_shape(head) in (Shape.ZIP, Shape.UNKNOWN_BINARY):
            _refuse_nested()


def _refuse_nested() -> NoReturn:
    refuse(
        _("Documents containing other archives or programs cannot be uploaded."),
        "archive_nested",
    )
