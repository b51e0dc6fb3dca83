"""Checks on text (kept byte for byte) and PDF (kept as qpdf rewrites it, without metadata)."""

from __future__ import annotations

import codecs
import itertools
import re
import tempfile
from typing import IO, Any, BinaryIO, NoReturn, cast

import pikepdf
from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.errors import ValidationFailed

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


# --- PDF ------------------------------------------------------------------------------------
#
# A PDF is judged by a real parser (qpdf, through pikepdf), not by scanning its bytes: names in
# compressed object streams, objects hidden in an old revision and other tricks that fool a scan
# are all resolved the way a PDF reader resolves them. What is kept is not the upload but the
# document qpdf writes back from what it parsed, without the document's metadata: a reader that
# would have parsed the original differently never sees the original.

# Actions that run code, start programs, send or fetch data, or open files inside or beside the
# document. (Going to a page, or a web link the reader asks about, stay allowed.)
_PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR",
        "/RichMediaExecute", "/Rendition",
    }
)  # fmt: skip
# Keys whose mere presence means script, automatic actions, attached files or an XFA form.
_PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent"}
)
_PDF_ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/RichMediaExecute"})  # /Type values
_PDF_ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie"})
# Keys that carry the document's metadata (author, tools, dates, XMP packets, app data).
_PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo")


def clean_pdf(stream: IO[bytes], *, max_objects: int, spool_memory_bytes: int) -> IO[bytes]:
    """Open the PDF with qpdf and return a rewritten copy without metadata, or refuse it.

    Refused: files qpdf cannot open (``pdf_unreadable``), encrypted files (``pdf_encrypted``),
    files with more than ``max_objects`` objects (``pdf_too_complex``: parsing time and memory
    grow with them), and files with script, automatic or launch actions, attached files or XFA
    forms (``pdf_active_content``). Stream data is copied as it is, never decompressed, so a
    compression bomb inside the file costs nothing here. Memory grows with the largest stream
    (qpdf holds one stream while it writes it, to write its length first): at most about twice
    the upload limit (``tests/files/test_pdf.py`` measures it).
    """
    stream.seek(0)
    try:
        pdf = pikepdf.open(cast(BinaryIO, stream))
    except pikepdf.PasswordError:
        _refuse_encrypted()
    except Exception:
        # qpdf meets hostile input here; whatever it trips over, the answer is a refusal.
        refuse(_("This PDF is damaged or could not be read."), "pdf_unreadable")
    with pdf:
        if pdf.is_encrypted:
            _refuse_encrypted()
        try:
            objects = list(itertools.islice(pdf.objects, max_objects + 1))
            if len(objects) > max_objects:
                refuse(
                    _("This PDF is too complex to check."),
                    "pdf_too_complex",
                    max_objects=max_objects,
                )
            for obj in [pdf.trailer, *objects]:
                _check_pdf_object(obj, budget=[max_objects * 8])
            _strip_pdf_metadata(pdf, objects)
            cleaned = tempfile.SpooledTemporaryFile(max_size=spool_memory_bytes)  # noqa: SIM115
            try:
                pdf.save(
                    cast(BinaryIO, cleaned),
                    fix_metadata_version=False,
                    preserve_pdfa=False,
                    compress_streams=False,
                    stream_decode_level=pikepdf.StreamDecodeLevel.none,
                    deterministic_id=True,
                )
            except BaseException:
                cleaned.close()
                raise
        except ValidationFailed:
            raise
        except Exception:
            refuse(_("This PDF is damaged or could not be read."), "pdf_unreadable")
    cleaned.seek(0)
    return cleaned


def _refuse_encrypted() -> NoReturn:
    refuse(_("Encrypted or password-protected PDFs cannot be uploaded."), "pdf_encrypted")


def _refuse_active() -> NoReturn:
    refuse(
        _("PDF files with scripts, actions or attachments cannot be uploaded."),
        "pdf_active_content",
    )


def _check_pdf_object(obj: Any, *, budget: list[int]) -> None:
    """Refuse ``obj`` if it, or any value held directly inside it, is active content.

    Indirect objects inside are not followed: every indirect object of the file is checked on
    its own. ``budget`` bounds the work on deeply nested direct values."""
    pending = [obj]
    while pending:
        item = pending.pop()
        budget[0] -= 1
        if budget[0] < 0:
            refuse(_("This PDF is too complex to check."), "pdf_too_complex")
        if isinstance(item, pikepdf.Stream):
            item = item.stream_dict
        if isinstance(item, pikepdf.Dictionary):
            keys = set(item.keys())
            if keys & _PDF_ACTIVE_KEYS:
                _refuse_active()
            if _name(item.get("/S")) in _PDF_ACTIVE_ACTIONS:
                _refuse_active()
            if _name(item.get("/Type")) in _PDF_ACTIVE_TYPES:
                _refuse_active()
            if _name(item.get("/Subtype")) in _PDF_ACTIVE_ANNOTATIONS:
                _refuse_active()
            opening = item.get("/OpenAction")
            if isinstance(opening, pikepdf.Dictionary) and _name(opening.get("/S")) != "/GoTo":
                _refuse_active()
            children = [item.get(key) for key in keys]
        elif isinstance(item, pikepdf.Array):
            children = list(item)
        else:
            continue
        pending.extend(
            child
            for child in children
            if isinstance(child, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream))
            and not child.is_indirect
        )


def _name(value: Any) -> str | None:
    return str(value) if isinstance(value, pikepdf.Name) else None


def _strip_pdf_metadata(pdf: pikepdf.Pdf, objects: list[Any]) -> None:
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    for obj in [pdf.Root, *objects]:
        target = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
        if isinstance(target, pikepdf.Dictionary):
            for key in _PDF_METADATA_KEYS:
                if key in target:
                    del target[key]
