"""Filenames: the declared name is a label, cleaned so it cannot carry paths or disguises."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorhaven.files.validation import sanitize_filename
from mentorhaven.files.validation.names import declared_extension


@pytest.mark.parametrize(
    ("declared", "safe"),
    [
        ("cv.pdf", "cv.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\cara\\Documents\\cv.pdf", "cv.pdf"),
        ("..\\..\\boot.ini", "boot.pdf"),
        ("cara\u202efdp.exe", "carafdp.pdf"),  # right-to-left override would show "exe.pdf"
        ("cv\u2066\u2069\u200b\ufeff.pdf", "cv.pdf"),  # isolates, zero-width space, BOM
        ("a\x00b\x1fc\x7f.pdf", "abc.pdf"),
        (".htaccess", "htaccess.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("report.pdf. . ", "report.pdf"),
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1", "_lpt1.pdf"),
        ("com1.tar.gz", "_com1.tar.pdf"),
        ("aux", "_aux.pdf"),
        ("console.pdf", "console.pdf"),
        ("", "file.pdf"),
        ("...", "file.pdf"),
        ("/", "file.pdf"),
        ("my   cv\t2026\n.pdf", "my cv 2026.pdf"),
        ("Lebenslauf Müller.pdf", "Lebenslauf Müller.pdf"),
    ],
)
def test_declared_names_are_cleaned(declared, safe):
    assert sanitize_filename(declared, extension=".pdf") == safe


def test_decomposed_unicode_is_normalised_to_nfc():
    result = sanitize_filename("Jose\u0301.pdf", extension=".pdf")
    assert result == "Jos\u00e9.pdf"
    assert unicodedata.is_normalized("NFC", result)


def test_long_names_are_shortened_keeping_the_extension():
    result = sanitize_filename("a" * 500 + ".pdf", extension=".pdf", max_bytes=150)
    assert result.endswith(".pdf")
    assert len(result.encode()) == 150


def test_shortening_never_splits_a_multibyte_character():
    result = sanitize_filename("é" * 200 + ".docx", extension=".docx", max_bytes=100)
    assert result.endswith(".docx")
    assert len(result.encode()) <= 100
    assert set(result.removesuffix(".docx")) == {"é"}


def test_extension_of_the_detected_type_replaces_the_declared_one():
    assert sanitize_filename("invoice.pdf.exe", extension=".pdf") == "invoice.pdf.pdf"
    assert sanitize_filename("photo.jpg", extension=".png") == "photo.png"
    assert sanitize_filename("notes", extension=".txt") == "notes.txt"


@pytest.mark.parametrize(
    ("declared", "extension"),
    [
        ("cv.PDF", ".pdf"),
        ("dir/cv.docx", ".docx"),
        ("cv.pdf. ", ".pdf"),
        ("cv", ""),
        (".bashrc", ""),
        ("cv.", ""),
        ("archive.tar.gz", ".gz"),
    ],
)
def test_declared_extension_is_read_from_the_last_path_part(declared, extension):
    assert declared_extension(declared) == extension


_DANGEROUS_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@given(st.text(max_size=400), st.sampled_from([".pdf", ".txt", ".docx", ".jpeg"]))
def test_any_declared_name_becomes_a_safe_one(declared, extension):
    result = sanitize_filename(declared, extension=extension, max_bytes=150)
    assert result.endswith(extension)
    assert len(result.encode()) <= 150
    assert "/" not in result and "\\" not in result
    assert not result.startswith((".", " "))
    assert not {unicodedata.category(ch) for ch in result} & _DANGEROUS_CATEGORIES
    assert not set(result) & set('<>:"|?*')
    assert unicodedata.is_normalized("NFC", result)
    assert result.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "com1", "lpt1"}
