"""inspect_upload: size limits while streaming, type from content, and the shape of the result."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc

import pytest
from django.utils import translation

from mentorhaven.files.validation import inspect_upload
from mentorhaven.kernel.errors import ValidationFailed

from .helpers import MiB, inspect, refusal
from .samples import (
    MAIN_PARTS,
    content_types,
    jpeg_with_gps,
    office_zip,
    pdf_document,
    png_with_text,
    stored_zip,
)

PDF = pdf_document()


class CountingStream:
    """A client that never stops sending, and counts what it was asked for."""

    def __init__(self, prefix: bytes = b"", filler: bytes = b"a"):
        self.prefix = prefix
        self.filler = filler
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "the reader must always ask for a bounded amount"
        start = self.prefix[self.bytes_read : self.bytes_read + size]
        missing = size - len(start)
        chunk = start + (self.filler * (missing // len(self.filler) + 1))[:missing]
        self.bytes_read += len(chunk)
        return chunk


class FiniteStream(CountingStream):
    def __init__(self, prefix: bytes, total: int, filler: bytes = b"a"):
        super().__init__(prefix, filler)
        self.total = total

    def read(self, size: int = -1) -> bytes:
        remaining = min(size, self.total - self.bytes_read)
        return super().read(remaining) if remaining else b""


# --- size ------------------------------------------------------------------------------------


def test_file_exactly_at_the_limit_is_accepted():
    with inspect(b"a" * 100, "notes.txt", max_bytes=100) as result:
        assert result.size == 100


def test_file_one_byte_over_the_limit_is_refused():
    error = refusal(b"a" * 101, "notes.txt", max_bytes=100)
    assert error.code == "file_too_large"
    assert error.extra == {"max_bytes": 100}


def test_endless_stream_is_cut_off_just_past_the_limit():
    # Whatever Content-Length the client claimed, reading stops one byte past the limit.
    stream = CountingStream()
    with pytest.raises(ValidationFailed) as caught:
        inspect_upload(stream, declared_name="notes.txt", max_bytes=5 * MiB)
    assert caught.value.code == "file_too_large"
    assert stream.bytes_read == 5 * MiB + 1


def test_empty_file_is_refused():
    assert refusal(b"", "notes.txt").code == "file_empty"


def _big_pdf(size: int) -> bytes:
    """A real PDF of about ``size`` bytes: one page and one stream of incompressible bytes."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(pdf_document()))
    pdf.Root.Blob = pdf.make_indirect(pikepdf.Stream(pdf, os.urandom(size)))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_reading_a_large_upload_keeps_memory_flat():
    data = _big_pdf(48 * MiB)
    tracemalloc.start()
    try:
        with inspect_upload(
            io.BytesIO(data), declared_name="big.pdf", max_bytes=64 * MiB
        ) as result:
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.received_size == len(data) and result.size > 48 * MiB
    assert peak < 6 * MiB, f"peak traced memory {peak / MiB:.1f} MiB"


# --- type from content -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "mime_type", "safe_name"),
    [
        (PDF, "CV 2026.pdf", "application/pdf", "CV 2026.pdf"),
        (PDF, "cv", "application/pdf", "cv.pdf"),
        (PDF, "cv.PDF", "application/pdf", "cv.pdf"),
        (PDF, "cv.exe", "application/pdf", "cv.pdf"),
        (b"Goals:\n- finish thesis\n", "goals.txt", "text/plain", "goals.txt"),
        (b"# Plan\n", "plan.md", "text/plain", "plan.md"),
        (b"name,score\nana,3\n", "scores.csv", "text/csv", "scores.csv"),
        (b"name,score\nana,3\n", "scores", "text/plain", "scores.txt"),
        (b"plain words", "notes.html", "text/plain", "notes.txt"),
        (
            office_zip("docx"),
            "plan.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "plan.docx",
        ),
        (
            office_zip("docx"),
            "plan.zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "plan.docx",
        ),
    ],
)
def test_type_and_extension_come_from_content(data, name, mime_type, safe_name):
    with inspect(data, name) as result:
        assert result.mime_type == mime_type
        assert result.safe_name == safe_name


def test_text_results_say_they_are_utf8_and_others_do_not():
    with inspect("café".encode(), "note.txt") as text, inspect(PDF, "a.pdf") as pdf:
        assert text.charset == "utf-8"
        assert pdf.charset is None


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03" + b"\x00" * 60,  # Windows executable
        b"\x7fELF\x02\x01\x01" + b"\x00" * 60,  # Linux executable
        b"\xca\xfe\xba\xbe" + b"\x00" * 60,  # Mach-O / Java class
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60,  # legacy Office / MSI
        b"\x1f\x8b\x08\x00" + b"\x00" * 60,  # gzip
        b"Rar!\x1a\x07\x00" + b"\x00" * 60,
        b"7z\xbc\xaf\x27\x1c" + b"\x00" * 60,
        b"\x00\x01\x02\x03\xff\xfe\xfd",  # unknown binary
        "Grüße".encode("latin-1"),  # not UTF-8
    ],
)
def test_content_outside_the_allow_list_is_refused_whatever_the_name(data):
    assert refusal(data, "harmless.pdf").code == "file_type_not_allowed"
    assert refusal(data, "harmless.txt").code == "file_type_not_allowed"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (PDF, "photo.jpg"),
        (PDF, "plan.docx"),
        (png_with_text(), "photo.jpg"),
        (jpeg_with_gps(), "scan.pdf"),
        (b"just text", "cv.pdf"),
        (office_zip("xlsx"), "plan.docx"),
    ],
)
def test_name_claiming_another_allowed_type_is_refused(data, name):
    assert refusal(data, name).code == "file_type_mismatch"


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><p>hi</p>",
        b"  \n<html><script>alert(1)</script></html>",
        b"\xef\xbb\xbf<SCRIPT>alert(1)</SCRIPT>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<?xml version="1.0"?><svg/>',
        b"<iframe src=x>",
        b"<a href=javascript:alert(1)>x</a>",
    ],
)
def test_web_pages_and_svg_are_refused_even_when_named_as_text(data):
    assert refusal(data, "notes.txt").code == "file_markup_not_allowed"


def test_text_that_merely_mentions_a_tag_is_accepted():
    with inspect(b"Use the <b> tag for bold.\n", "tips.txt") as result:
        assert result.mime_type == "text/plain"


@pytest.mark.parametrize(
    "data", [b"abc\x00def", b"red \x1b[31m text", b"bell\x07", "csi \x9b31m".encode()]
)
def test_text_with_nul_or_control_characters_is_refused(data):
    assert refusal(data, "notes.txt").code == "text_control_characters"


def test_multibyte_characters_split_across_chunks_are_valid_text():
    data = "é日本語ü".encode() * 50
    with inspect(data, "notes.txt", chunk_bytes=7) as result:
        assert result.content.read() == data


def test_text_truncated_inside_a_character_is_refused():
    assert refusal("ok é".encode()[:-1], "notes.txt").code == "file_type_not_allowed"


# --- polyglots -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (PDF + office_zip("docx"), "cv.pdf"),
        (b"harmless words\n" + office_zip("docx"), "notes.txt"),
        (jpeg_with_gps() + office_zip("docx"), "photo.jpg"),
        (b"notes %PDF-1.7 more notes", "notes.txt"),
    ],
)
def test_files_that_are_two_files_at_once_are_refused(data, name):
    assert refusal(data, name).code == "file_polyglot"


def test_office_document_with_a_pdf_header_in_its_first_kilobyte_is_refused():
    # PDF readers accept a header anywhere in the first 1024 bytes, so this opens as a PDF too.
    main_part, main_type = MAIN_PARTS["docx"]
    data = stored_zip(
        [
            ("[Content_Types].xml", content_types(main_part, main_type)),
            (main_part, b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF"),
        ]
    )
    assert refusal(data, "plan.docx").code == "file_polyglot"


# --- result ----------------------------------------------------------------------------------


def test_result_is_rewound_and_its_digest_and_size_describe_the_cleaned_content():
    with inspect(jpeg_with_gps(), "holiday.jpg") as result:
        body = result.content.read()
        assert result.content.tell() == len(body)
        assert result.size == len(body)
        assert result.sha256 == hashlib.sha256(body).hexdigest()
        assert result.received_size == len(jpeg_with_gps())
        assert result.metadata_removed is True


def test_kept_text_is_byte_for_byte_the_upload():
    # (PDFs are rewritten without their metadata: test_pdf.py.)
    text = b"Goals for term 2: lead the study group.\n"
    with inspect(text, "goals.txt") as result:
        assert result.content.read() == text
        assert result.metadata_removed is False
        assert result.sha256 == hashlib.sha256(text).hexdigest()


def test_closing_the_result_releases_the_spooled_copy():
    result = inspect(PDF, "cv.pdf")
    with result:
        pass
    assert result.content.closed


def test_upload_is_read_from_where_the_stream_stands():
    stream = io.BytesIO(b"ignored prefix" + PDF)
    stream.seek(len(b"ignored prefix"))
    with inspect_upload(stream, declared_name="cv.pdf", max_bytes=MiB) as result:
        assert result.received_size == len(PDF) and result.kind.key == "pdf"


def test_refusal_messages_are_translatable_and_carry_no_upload_details():
    with translation.override("en"):
        error = refusal(b"MZ" + b"\x00" * 10, "secret-plan-for-cara.exe")
    assert error.message == "This type of file is not allowed."
    assert "cara" not in str(error.as_dict()).lower()
