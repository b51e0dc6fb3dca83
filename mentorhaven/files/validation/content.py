"""Checks on content that is kept byte for byte: plain text, CSV and PDF."""

from __future__ import annotations

import codecs
import re
from typing import IO

from django.utils.translation import gettext_lazy as _

from .limits import refuse

# Control characters other than tab, line feed, form feed and carriage return have no place in
# a document; ESC (and C1's CSI) in particular let a text file drive the terminal it is shown in.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")

# Tags a browser would take as HTML (or SVG/XML, which can carry script) when they open a file.
_MARKUP_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|\?xml|!--|style|title|table|div|"
    rb"a|b|p|br|h1|font|object|embed|meta|link|form|img)(?:[\s>/]|$)",
    re.IGNORECASE,
)
_MARKUP_PROBE_BYTES = 1024


def check_text(stream: IO[bytes], *, chunk_bytes: int) -> None:
    """Refuse anything that is not UTF-8 text without control characters or leading markup."""
    stream.seek(0)
    head = stream.read(_MARKUP_PROBE_BYTES)
    probe = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n\x0c")
    if _MARKUP_START.match(probe):
        refuse(_("Web pages and SVG images cannot be uploaded."), "file_markup_not_allowed")
    if b"%PDF-" in head:
        # PDF readers look for their header anywhere in the first kilobyte.
        refuse(_("This file looks like two kinds of file at once."), "file_polyglot")
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    while chunk := stream.read(chunk_bytes):
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            refuse(_("This type of file is not allowed."), "file_type_not_allowed")
        if _CONTROL.search(text):
            refuse(_("Text files may not contain control characters."), "text_control_characters")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        refuse(_("This type of file is not allowed."), "file_type_not_allowed")


# PDF names that run code, start programs or carry further files. A name may spell any of its
# characters as #xx, so names are decoded before the comparison.
_PDF_ACTIVE_NAMES = frozenset(
    {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia"}
)
# Only names that could spell one of the above are decoded (first letter J, L, E or R, or an
# escape), which keeps the scan fast on the thousands of ordinary names in a large PDF.
_PDF_NAME = re.compile(rb"/((?:[JLER]|#[0-9A-Fa-f]{2})(?:[A-Za-z0-9]|#[0-9A-Fa-f]{2})*)")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_OVERLAP = 256


def check_pdf(stream: IO[bytes], *, chunk_bytes: int) -> None:
    """Refuse PDFs that declare script, launch actions or embedded files.

    This is a scan of the names visible in the file, not a PDF parser: names inside compressed
    object streams escape it. The real protection is how files are served (as attachments, with
    ``nosniff`` and a sandboxing CSP); this catches the plain cases early, with a clear message.
    """
    stream.seek(0)
    carry = b""
    while chunk := stream.read(chunk_bytes):
        window = carry + chunk
        for match in _PDF_NAME.finditer(window):
            name = _PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
            if name in _PDF_ACTIVE_NAMES:
                refuse(
                    _("PDF files with scripts, actions or attachments cannot be uploaded."),
                    "pdf_active_content",
                )
        carry = window[-_PDF_OVERLAP:]
