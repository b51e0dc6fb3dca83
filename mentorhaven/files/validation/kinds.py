"""The allow-list: which kinds of file MentorHaven keeps, recognised by their first bytes.

A kind is chosen from content alone. The declared filename only picks between kinds that share a
content shape (plain text or CSV) and is otherwise checked *against* what the content says.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    key: str
    mime_type: str
    extensions: tuple[str, ...]  # first one is used when the declared name has none that fits
    is_image: bool = False
    is_text: bool = False

    @property
    def default_extension(self) -> str:
        return self.extensions[0]


PDF = FileKind("pdf", "application/pdf", (".pdf",))
PNG = FileKind("png", "image/png", (".png",), is_image=True)
JPEG = FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"), is_image=True)
GIF = FileKind("gif", "image/gif", (".gif",), is_image=True)
WEBP = FileKind("webp", "image/webp", (".webp",), is_image=True)
TEXT = FileKind("text", "text/plain", (".txt", ".md", ".text"), is_text=True)
CSV = FileKind("csv", "text/csv", (".csv",), is_text=True)
_OOXML = "application/vnd.openxmlformats-officedocument"
DOCX = FileKind("docx", f"{_OOXML}.wordprocessingml.document", (".docx",))
XLSX = FileKind("xlsx", f"{_OOXML}.spreadsheetml.sheet", (".xlsx",))
PPTX = FileKind("pptx", f"{_OOXML}.presentationml.presentation", (".pptx",))
_ODF = "application/vnd.oasis.opendocument"
ODT = FileKind("odt", f"{_ODF}.text", (".odt",))
ODS = FileKind("ods", f"{_ODF}.spreadsheet", (".ods",))
ODP = FileKind("odp", f"{_ODF}.presentation", (".odp",))

ALLOWED_KINDS: tuple[FileKind, ...] = (
    PDF, PNG, JPEG, GIF, WEBP, TEXT, CSV, DOCX, XLSX, PPTX, ODT, ODS, ODP,
)  # fmt: skip

OFFICE_KINDS = (DOCX, XLSX, PPTX, ODT, ODS, ODP)

# The main part's content type in [Content_Types].xml names the OOXML flavour. Only the plain
# flavours are here: the macro-enabled ones (".docm" and friends) are not on the list.
OOXML_MAIN_PARTS: dict[str, FileKind] = {
    f"{_OOXML}.wordprocessingml.document.main+xml": DOCX,
    f"{_OOXML}.spreadsheetml.sheet.main+xml": XLSX,
    f"{_OOXML}.presentationml.presentation.main+xml": PPTX,
}

# OpenDocument packages start with an uncompressed ``mimetype`` entry holding one of these.
ODF_MIMETYPES: dict[str, FileKind] = {kind.mime_type: kind for kind in (ODT, ODS, ODP)}


def kind_for_extension(extension: str) -> FileKind | None:
    """The allowed kind a (lower-case, dotted) extension claims, if any."""
    for kind in ALLOWED_KINDS:
        if extension in kind.extensions:
            return kind
    return None


class Shape:
    """What the first bytes say, before any deeper check."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"
    ZIP = "zip"
    UNKNOWN_BINARY = "binary"  # a known signature we refuse (executables, other archives, ...)
    MAYBE_TEXT = "text"


# Signatures of things we refuse outright, so the error can say "not allowed" rather than
# "not valid text". The list does not need to be complete: anything that is not one of the
# allowed shapes and is not valid UTF-8 text is refused anyway.
_REFUSED_SIGNATURES: tuple[bytes, ...] = (
    b"MZ",  # Windows PE / DOS executables
    b"\x7fELF",  # Linux executables
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O fat binary / Java class
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE2: legacy Office with macros, MSI
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",  # zstd
    b"PK\x05\x06",  # empty zip
    b"PK\x07\x08",  # spanned zip
    b"\x00asm",  # WebAssembly
)


def sniff_shape(head: bytes) -> str:
    """Classify a file by its leading bytes. ``head`` should be at least 16 bytes if available."""
    if head.startswith(b"%PDF-"):
        return Shape.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Shape.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return Shape.JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Shape.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Shape.WEBP
    if head.startswith(b"PK\x03\x04"):
        return Shape.ZIP
    if head.startswith(_REFUSED_SIGNATURES) or head[257:262] == b"ustar":
        return Shape.UNKNOWN_BINARY
    return Shape.MAYBE_TEXT
