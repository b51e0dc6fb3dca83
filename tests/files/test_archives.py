"""Office documents are zip archives: bombs, traversal, nesting, macros and lies are refused."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile

import pytest

from .helpers import MiB, inspect, refusal
from .samples import (
    MAIN_PARTS,
    content_types,
    local_header,
    odf_zip,
    office_zip,
    stored_zip,
)

_OOXML = "application/vnd.openxmlformats-officedocument"


@pytest.mark.parametrize(
    ("flavour", "mime_type"),
    [
        ("docx", f"{_OOXML}.wordprocessingml.document"),
        ("xlsx", f"{_OOXML}.spreadsheetml.sheet"),
        ("pptx", f"{_OOXML}.presentationml.presentation"),
    ],
)
def test_ooxml_documents_are_recognised_from_their_main_part(flavour, mime_type):
    with inspect(office_zip(flavour), "plan") as result:
        assert result.mime_type == mime_type
        assert result.safe_name == f"plan.{flavour}"
        kept = zipfile.ZipFile(io.BytesIO(result.content.read()))
        main_part = MAIN_PARTS[flavour][0]
        original = zipfile.ZipFile(io.BytesIO(office_zip(flavour)))
        assert kept.read(main_part) == original.read(main_part)  # rewritten, text untouched


@pytest.mark.parametrize(
    ("mimetype", "extension"),
    [
        ("application/vnd.oasis.opendocument.text", ".odt"),
        ("application/vnd.oasis.opendocument.spreadsheet", ".ods"),
        ("application/vnd.oasis.opendocument.presentation", ".odp"),
    ],
)
def test_opendocument_files_are_recognised_from_their_mimetype_entry(mimetype, extension):
    with inspect(odf_zip(mimetype), "notes") as result:
        assert result.mime_type == mimetype
        assert result.safe_name == f"notes{extension}"


@pytest.mark.parametrize(
    "data",
    [
        stored_zip([("readme.txt", b"hello")]),  # a plain archive
        odf_zip("application/epub+zip"),  # an e-book
        stored_zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"x")]),
    ],
)
def test_archives_that_are_not_office_documents_are_refused(data):
    assert refusal(data, "plan.docx").code in {"file_type_not_allowed", "file_type_mismatch"}
    assert refusal(data, "plan").code == "file_type_not_allowed"


def test_macro_enabled_documents_are_refused():
    assert refusal(office_zip("docm"), "plan.docx").code == "office_macros"
    hidden = office_zip("docx", extra_entries={"word/vbaProject.bin": b"macro code"})
    assert refusal(hidden, "plan.docx").code == "office_macros"


def test_opendocument_basic_macros_are_refused():
    out = io.BytesIO(odf_zip())
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("Basic/Standard/Module1.xml", b"<script/>")
    assert refusal(out.getvalue(), "notes.odt").code == "office_macros"


def test_manifest_with_a_doctype_is_refused_before_parsing():
    main_part, main_type = MAIN_PARTS["docx"]
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        + content_types(main_part, main_type).split(b"?>", 1)[1]
    )
    assert refusal(office_zip("docx", manifest=bomb), "plan.docx").code == "archive_unreadable"


# --- bombs -----------------------------------------------------------------------------------


def test_entry_compressed_beyond_the_ratio_limit_is_refused():
    data = office_zip("docx", extra_entries={"word/media/blank.xml": b"\x00" * (2 * MiB)})
    error = refusal(data, "plan.docx")
    assert error.code == "archive_ratio"
    assert error.extra == {"max_ratio": 100}


def test_small_entries_may_compress_well():
    data = office_zip("docx", extra_entries={"word/styles.xml": b"<w:style/>" * 50_000})
    with inspect(data, "plan.docx") as result:
        assert result.kind.key == "docx"


def test_total_uncompressed_size_over_the_limit_is_refused():
    entries = {f"word/media/part{i}.xml": bytes(range(256)) * 4096 for i in range(5)}  # 5 x 1 MiB
    data = office_zip("docx", extra_entries=entries)
    error = refusal(data, "plan.docx", zip_max_total_uncompressed=4 * MiB)
    assert error.code == "archive_too_large"
    with inspect(data, "plan.docx", zip_max_total_uncompressed=6 * MiB):
        pass


def test_too_many_entries_is_refused():
    entries = {f"word/part{i}.xml": b"<p/>" for i in range(20)}
    data = office_zip("docx", extra_entries=entries)
    assert refusal(data, "plan.docx", zip_max_entries=22).code == "archive_too_many_entries"
    with inspect(data, "plan.docx", zip_max_entries=23):
        pass


def test_entry_count_is_read_from_the_end_record_before_any_entry_is_parsed():
    # The end record claims 65,000 entries; refusing must not depend on zipfile walking them.
    data = bytearray(office_zip("docx"))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = struct.pack("<HH", 65_000, 65_000)
    assert refusal(bytes(data), "plan.docx").code == "archive_too_many_entries"


def test_overlapping_entries_are_refused():
    # The densest zip bombs point many directory records into one shared block of data.
    main_part, main_type = MAIN_PARTS["docx"]
    document = b"<document/>"
    manifest = content_types(main_part, main_type)
    wrapper = local_header(main_part, document)
    inner_offset = len(local_header("[Content_Types].xml", manifest)) + 30 + len(b"docProps/x.xml")
    data = stored_zip(
        [("[Content_Types].xml", manifest), ("docProps/x.xml", wrapper)],
        phantoms=[(main_part, document, inner_offset)],
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read(main_part) == document  # a zip reader accepts it as it stands
    assert refusal(data, "plan.docx").code == "archive_inconsistent"


# --- names, nesting, lies --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../../etc/cron.d/evil", "word/../../evil.xml", "/etc/passwd", "word\\..\\evil.xml",
     "C:/Windows/evil.xml", "word/./x.xml", "word/\x01bell.xml"],
)  # fmt: skip
def test_entries_with_unsafe_paths_are_refused(name):
    main_part, main_type = MAIN_PARTS["docx"]
    data = stored_zip(
        [
            ("[Content_Types].xml", content_types(main_part, main_type)),
            (main_part, b"<document/>"),
            (name, b"x"),
        ]
    )
    assert refusal(data, "plan.docx").code == "archive_unsafe_path"


def test_duplicate_entry_names_are_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it is asked to write
        data = office_zip("docx", extra_entries={"word/document.xml": b"<other/>"})
    assert refusal(data, "plan.docx").code == "archive_inconsistent"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("word/embeddings/inner.zip", b"anything"),
        ("word/embeddings/oleObject1.bin", b"anything"),
        ("word/media/image1.png", office_zip("docx")),  # a zip under an image's name
        ("word/media/image2.png", b"MZ\x90\x00" + b"\x00" * 100),  # a program
        ("word/media/image3.png", b"\x1f\x8b\x08\x00" + b"\x00" * 100),  # gzip
    ],
)
def test_nested_archives_and_programs_are_refused(name, content):
    data = office_zip("docx", extra_entries={name: content})
    assert refusal(data, "plan.docx").code == "archive_nested"


def test_local_header_naming_a_different_entry_is_refused():
    data = office_zip("docx")
    # The first occurrence is the local header; the central directory (at the end) keeps the
    # true name, so zip readers disagree about what the file holds.
    patched = data.replace(b"word/document.xml", b"word/documenX.xml", 1)
    assert patched != data
    assert refusal(patched, "plan.docx").code == "archive_inconsistent"


def test_local_header_with_different_sizes_is_refused():
    data = bytearray(office_zip("docx"))
    first = data.find(b"PK\x03\x04")
    data[first + 22 : first + 26] = struct.pack("<I", 10 * MiB)  # uncompressed size
    assert refusal(bytes(data), "plan.docx").code == "archive_inconsistent"


def test_data_after_the_end_record_is_refused():
    assert refusal(office_zip("docx") + b"extra", "plan.docx").code == "archive_inconsistent"


def test_encrypted_entries_are_refused():
    data = bytearray(office_zip("docx"))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        while position >= 0:
            data[position + flag_offset] |= 0x1
            position = data.find(signature, position + 4)
    assert refusal(bytes(data), "plan.docx").code == "archive_encrypted"


def test_truncated_archive_is_refused():
    data = office_zip("docx")
    assert refusal(data[: len(data) // 2], "plan.docx").code == "archive_unreadable"
