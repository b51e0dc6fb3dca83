"""Office documents lose their authors' details and their pictures' EXIF before they are kept."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from .helpers import inspect, refusal
from .samples import SECRET, jpeg_with_gps, odf_zip, office_zip, png_header_only, png_with_text

CORE = (
    '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
    'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    f"<dc:creator>{SECRET}</dc:creator><cp:lastModifiedBy>{SECRET}</cp:lastModifiedBy>"
    "</cp:coreProperties>"
).encode()
APP = f"<Properties><Company>{SECRET}</Company><Manager>{SECRET}</Manager></Properties>".encode()
CUSTOM = f"<Properties><property name='reviewer'>{SECRET}</property></Properties>".encode()
MEDIA = {"docx": "word/media", "xlsx": "xl/media", "pptx": "ppt/media"}


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {entry.filename: archive.read(entry) for entry in archive.infolist()}


def _document(flavour: str) -> bytes:
    return office_zip(
        flavour,
        extra_entries={
            "docProps/core.xml": CORE,
            "docProps/app.xml": APP,
            "docProps/custom.xml": CUSTOM,
            "docProps/thumbnail.jpeg": jpeg_with_gps(),
            f"{MEDIA[flavour]}/image1.jpeg": jpeg_with_gps(),
            f"{MEDIA[flavour]}/image2.png": png_with_text(),
        },
    )


@pytest.mark.parametrize("flavour", ["docx", "xlsx", "pptx"])
def test_the_samples_really_carry_the_details_before_cleaning(flavour):
    parts = _parts(_document(flavour))
    assert SECRET.encode() in parts["docProps/core.xml"]
    assert b"GPS" in parts[f"{MEDIA[flavour]}/image1.jpeg"] or Image.open(
        io.BytesIO(parts[f"{MEDIA[flavour]}/image1.jpeg"])
    ).getexif().get_ifd(0x8825)


@pytest.mark.parametrize("flavour", ["docx", "xlsx", "pptx"])
def test_authors_properties_and_pictures_metadata_are_gone(flavour):
    with inspect(_document(flavour), f"plan.{flavour}") as result:
        kept = result.content.read()
        assert result.metadata_removed
    parts = _parts(kept)
    assert SECRET.encode() not in kept
    for name, data in parts.items():
        assert SECRET.encode() not in data, name
    for name in (f"{MEDIA[flavour]}/image1.jpeg", "docProps/thumbnail.jpeg"):
        picture = Image.open(io.BytesIO(parts[name]))
        assert picture.size == (40, 20)
        assert not picture.getexif(), name
        assert "exif" not in picture.info and "xmp" not in picture.info
    png = Image.open(io.BytesIO(parts[f"{MEDIA[flavour]}/image2.png"]))
    assert not {"Author", "Comment", "Description"} & set(png.info)


@pytest.mark.parametrize("flavour", ["docx", "xlsx", "pptx"])
def test_the_cleaned_document_keeps_its_parts_and_its_text(flavour):
    original = _parts(_document(flavour))
    with inspect(_document(flavour), f"plan.{flavour}") as result:
        cleaned = _parts(result.content.read())
    assert list(cleaned) == list(original)
    assert b"Goals for term 2" in b"".join(cleaned.values())
    assert cleaned["[Content_Types].xml"] == original["[Content_Types].xml"]
    # The property parts stay, empty, so references to them still resolve.
    assert b"coreProperties" in cleaned["docProps/core.xml"]


def test_entry_time_stamps_are_not_kept():
    with inspect(_document("docx"), "plan.docx") as result:
        archive = zipfile.ZipFile(io.BytesIO(result.content.read()))
    assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_opendocument_meta_and_pictures_are_cleaned_and_the_mimetype_stays_first():
    buffer = io.BytesIO(odf_zip())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("meta.xml", f"<office:document-meta>{SECRET}</office:document-meta>")
        archive.writestr("Pictures/photo.jpg", jpeg_with_gps())
        archive.writestr("Thumbnails/thumbnail.png", png_with_text())
    data = buffer.getvalue()
    with inspect(data, "notes.odt") as result:
        kept = result.content.read()
    assert SECRET.encode() not in kept
    archive = zipfile.ZipFile(io.BytesIO(kept))
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert not Image.open(io.BytesIO(archive.read("Pictures/photo.jpg"))).getexif()


def test_a_picture_inside_is_held_to_the_picture_limits():
    data = office_zip("docx", extra_entries={"word/media/huge.png": png_header_only(20000, 20000)})
    failure = refusal(data, "plan.docx")
    assert failure.code in ("image_too_large", "archive_ratio")


def test_a_damaged_picture_inside_refuses_the_document():
    broken = jpeg_with_gps()[:200]
    failure = refusal(office_zip("docx", extra_entries={"word/media/x.jpeg": broken}), "a.docx")
    assert failure.code == "image_unreadable"
