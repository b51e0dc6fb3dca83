"""Builders for the files the validation tests feed in: real and hostile, made in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image
from PIL.PngImagePlugin import PngInfo

SECRET = "Cara Lives At 12 Quiet Lane"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    f'syntax-ns#"><rdf:Description>{SECRET}</rdf:Description></rdf:RDF></x:xmpmeta>'
)
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def exif_with_gps(*, orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = SECRET  # Software, a free-text field
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (52.0, 22.0, 12.5), 3: "E", 4: (4.0, 53.0, 30.0), 29: "2026:11:26"}
    )
    return exif


def two_colour_picture(size=(40, 20), mode="RGB") -> Image.Image:
    """Left half red, right half blue: enough to tell whether a rotation was applied."""
    picture = Image.new(mode, size, "blue")
    picture.paste(Image.new(mode, (size[0] // 2, size[1]), "red"), (0, 0))
    return picture


def jpeg_with_gps(*, orientation: int = 1, iptc: bool = True) -> bytes:
    out = io.BytesIO()
    two_colour_picture().save(
        out, "JPEG", exif=exif_with_gps(orientation=orientation), xmp=XMP.encode(), comment=SECRET
    )
    data = out.getvalue()
    if iptc:
        # An APP13 "Photoshop 3.0" block, where IPTC captions and bylines live.
        payload = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10" + SECRET.encode()[:16]
        segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
        data = data[:2] + segment + data[2:]
    return data


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Author", SECRET)
    info.add_text("Comment", SECRET, zip=True)
    info.add_itxt("Description", SECRET)
    out = io.BytesIO()
    two_colour_picture(mode="RGBA").save(
        out, "PNG", pnginfo=info, exif=exif_with_gps(orientation=1)
    )
    return out.getvalue()


def webp_with_metadata(*, lossless: bool = False) -> bytes:
    out = io.BytesIO()
    two_colour_picture().save(
        out, "WEBP", exif=exif_with_gps(), xmp=XMP.encode(), lossless=lossless
    )
    return out.getvalue()


def gif_with_comment(*, frames: int = 1) -> bytes:
    pictures = [two_colour_picture().convert("P") for _ in range(frames)]
    out = io.BytesIO()
    options = {"comment": SECRET}
    if frames > 1:
        pictures[1] = pictures[1].transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        options.update(save_all=True, append_images=pictures[1:], duration=[120] * frames, loop=0)
    pictures[0].save(out, "GIF", **options)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header promises a huge picture: the shape of a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- office documents -------------------------------------------------------------------------

_OOXML = "application/vnd.openxmlformats-officedocument"
MAIN_PARTS = {
    "docx": ("word/document.xml", f"{_OOXML}.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", f"{_OOXML}.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", f"{_OOXML}.presentationml.presentation.main+xml"),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
}


def content_types(main_part: str, main_type: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>{extra}</Types>'
    ).encode()


def office_zip(
    flavour: str = "docx",
    *,
    extra_entries: dict[str, bytes] | None = None,
    manifest: bytes | None = None,
) -> bytes:
    main_part, main_type = MAIN_PARTS[flavour]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", manifest or content_types(main_part, main_type))
        archive.writestr("_rels/.rels", b'<?xml version="1.0"?><Relationships/>')
        archive.writestr(main_part, b'<?xml version="1.0"?><document>Goals for term 2</document>')
        for name, data in (extra_entries or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def odf_zip(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b'<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest/>')
    return out.getvalue()


def stored_zip(
    entries: list[tuple[str, bytes]], *, phantoms: list[tuple[str, bytes, int]] = ()
) -> bytes:
    """A hand-written zip of stored entries, plus directory records pointing where we like.

    Each phantom ``(name, data, offset)`` is listed in the central directory with its local header
    at ``offset``, typically inside another entry's data: the trick behind overlapping-entry bombs.
    """
    body = io.BytesIO()
    records = []
    for name, data in entries:
        offset = body.tell()
        crc = zlib.crc32(data)
        encoded = name.encode()
        body.write(
            struct.pack(
                "<4s5H3I2H",
                b"PK\x03\x04",
                20,
                0,
                0,
                0,
                0,
                crc,
                len(data),
                len(data),
                len(encoded),
                0,
            )
            + encoded
            + data
        )
        records.append((encoded, crc, len(data), offset))
    for name, data, offset in phantoms:
        records.append((name.encode(), zlib.crc32(data), len(data), offset))
    directory = io.BytesIO()
    for encoded, crc, size, offset in records:
        directory.write(
            struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                20,
                20,
                0,
                0,
                0,
                0,
                crc,
                size,
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = body.tell()
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, len(records), len(records), directory.tell(), start, 0
    )
    return body.getvalue() + directory.getvalue() + end


def local_header(name: str, data: bytes) -> bytes:
    encoded = name.encode()
    return (
        struct.pack(
            "<4s5H3I2H",
            b"PK\x03\x04",
            20,
            0,
            0,
            0,
            0,
            zlib.crc32(data),
            len(data),
            len(data),
            len(encoded),
            0,
        )
        + encoded
        + data
    )


# --- PDF --------------------------------------------------------------------------------------


def pdf_document(*, pages: int = 1, change=None, title: str = SECRET) -> bytes:
    """A real PDF made by pikepdf, with the author's details in its document information and
    its XMP packet; ``change(pdf)`` adds whatever a test needs before it is saved."""
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(200, 200))
    pdf.docinfo["/Title"] = title
    pdf.docinfo["/Author"] = SECRET
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [SECRET]
    if change is not None:
        change(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
