"""Pictures lose EXIF (with GPS), XMP, IPTC, comments and text chunks, but keep how they look."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageOps

from .helpers import inspect, refusal
from .samples import (
    GPS_IFD,
    SECRET,
    exif_with_gps,
    gif_with_comment,
    jpeg_with_gps,
    png_header_only,
    png_with_text,
    two_colour_picture,
    webp_with_metadata,
)

METADATA_MARKERS = (
    SECRET.encode(),
    b"Exif\x00\x00",
    b"http://ns.adobe.com/xap",
    b"adobe:ns:meta",
    b"Photoshop 3.0",
    b"PhoneMaker",
)


def cleaned(data: bytes, name: str) -> tuple[bytes, Image.Image]:
    with inspect(data, name) as result:
        body = result.content.read()
    return body, Image.open(io.BytesIO(body))


def assert_no_metadata(body: bytes, picture: Image.Image) -> None:
    for marker in METADATA_MARKERS:
        assert marker not in body, marker
    assert not picture.getexif()
    assert not set(picture.info) & {"exif", "xmp", "comment", "Author", "Comment", "Description"}


def test_sample_jpeg_really_carries_gps_before_cleaning():
    # Guards the other tests: the sample must hold what we claim to remove.
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD)[2] == (52.0, 22.0, 12.5)
    for marker in METADATA_MARKERS:
        assert marker in jpeg_with_gps(), marker


def test_jpeg_gps_exif_xmp_iptc_and_comment_are_gone_after_cleaning():
    body, picture = cleaned(jpeg_with_gps(), "holiday.jpg")
    assert picture.format == "JPEG"
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert_no_metadata(body, picture)


def test_jpeg_orientation_is_applied_before_the_exif_is_dropped():
    original = Image.open(io.BytesIO(jpeg_with_gps(orientation=6)))
    upright = ImageOps.exif_transpose(original)
    _, picture = cleaned(jpeg_with_gps(orientation=6), "portrait.jpg")
    assert original.size == (40, 20)
    assert picture.size == upright.size == (20, 40)
    # Orientation 6 turns the picture clockwise: the red left half ends up on top.
    top, bottom = (
        picture.convert("RGB").getpixel((10, 5)),
        picture.convert("RGB").getpixel((10, 35)),
    )
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_png_text_chunks_and_exif_are_gone_and_transparency_kept():
    body, picture = cleaned(png_with_text(), "diagram.png")
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk not in body
    assert_no_metadata(body, picture)
    assert picture.mode == "RGBA"


@pytest.mark.parametrize("lossless", [False, True])
def test_webp_exif_and_xmp_are_gone(lossless):
    body, picture = cleaned(webp_with_metadata(lossless=lossless), "photo.webp")
    assert picture.format == "WEBP"
    assert b"EXIF" not in body and b"XMP " not in body
    assert_no_metadata(body, picture)


def test_lossless_webp_stays_lossless():
    body, _ = cleaned(webp_with_metadata(lossless=True), "photo.webp")
    assert b"VP8L" in body[:64]
    body, _ = cleaned(webp_with_metadata(lossless=False), "photo.webp")
    assert b"VP8L" not in body[:64]


def test_gif_comment_is_gone():
    body, picture = cleaned(gif_with_comment(), "sticker.gif")
    assert picture.format == "GIF"
    assert_no_metadata(body, picture)


def test_animated_gif_keeps_its_frames_and_loses_its_comment():
    body, picture = cleaned(gif_with_comment(frames=3), "wave.gif")
    assert picture.n_frames == 3
    assert_no_metadata(body, picture)
    picture.seek(1)
    flipped = picture.convert("RGB")
    assert flipped.getpixel((2, 2))[2] > 200  # frame 2 was mirrored: blue on the left


def test_pixels_survive_cleaning():
    _, picture = cleaned(png_with_text(), "diagram.png")
    assert picture.tobytes() == two_colour_picture(mode="RGBA").tobytes()


def test_decompression_bomb_is_refused_from_its_header_without_decoding():
    bomb = png_header_only(100_000, 100_000)
    assert len(bomb) < 200
    error = refusal(bomb, "tiny.png")
    assert error.code == "image_too_large"
    assert error.extra == {"max_pixels": 40_000_000}


def test_pixel_limit_is_configurable():
    assert refusal(png_with_text(), "diagram.png", image_max_pixels=799).code == "image_too_large"
    with inspect(png_with_text(), "diagram.png", image_max_pixels=800) as result:
        assert result.mime_type == "image/png"


def test_animation_over_its_frame_budget_is_refused():
    data = gif_with_comment(frames=3)
    assert refusal(data, "wave.gif", image_max_frames=2).code == "image_too_large"
    assert refusal(data, "wave.gif", animation_max_pixels=2_000).code == "image_too_large"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (jpeg_with_gps()[:200], "cut.jpg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png"),
        (b"GIF89a" + b"\xff" * 20, "broken.gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8, "broken.webp"),
    ],
)
def test_damaged_images_are_refused(data, name):
    assert refusal(data, name).code == "image_unreadable"


def test_multi_picture_jpeg_keeps_only_its_primary_picture_without_exif():
    # Phones write MPO: several JPEGs in one file (previews, depth maps), each with its own EXIF.
    out = io.BytesIO()
    primary = two_colour_picture()
    primary.save(
        out, "MPO", save_all=True, append_images=[primary.rotate(180)], exif=exif_with_gps()
    )
    assert Image.open(io.BytesIO(out.getvalue())).n_frames == 2
    body, picture = cleaned(out.getvalue(), "portrait.jpg")
    assert getattr(picture, "n_frames", 1) == 1
    assert picture.convert("RGB").getpixel((2, 2))[0] > 200  # the primary: red on the left
    assert_no_metadata(body, picture)


@pytest.mark.parametrize(("fmt", "name"), [("WEBP", "wave.webp"), ("PNG", "wave.png")])
def test_animated_webp_and_png_keep_their_frames_and_lose_their_exif(fmt, name):
    frames = [two_colour_picture(), two_colour_picture().rotate(180)]
    out = io.BytesIO()
    frames[0].save(
        out, fmt, save_all=True, append_images=frames[1:], duration=150, exif=exif_with_gps()
    )
    assert b"PhoneMaker" in out.getvalue()
    body, picture = cleaned(out.getvalue(), name)
    assert picture.n_frames == 2
    assert_no_metadata(body, picture)
