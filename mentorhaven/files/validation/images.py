"""Re-encoding pictures so that nothing but the pixels leaves the uploader's device.

Photos carry EXIF (camera serial, time, GPS position), XMP, IPTC and free-text chunks. Rather
than hunt for each kind of block, the picture is decoded and written again from its pixels alone,
after its EXIF orientation has been applied so it still looks the way the uploader saw it. The
ICC colour profile is kept: it describes colours, not people, and dropping it would shift them.
"""

from __future__ import annotations

import tempfile
import threading
from typing import IO, NoReturn

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from mentorhaven.kernel.errors import RateLimited, ValidationFailed

from .kinds import GIF, JPEG, PNG, WEBP, FileKind
from .limits import DEFAULT_LIMITS, UploadLimits, refuse

_PILLOW_FORMAT = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WEBP"}
# Image.info keys that describe how to draw the picture; everything else is dropped.
_KEPT_INFO = ("transparency", "background", "duration", "loop", "icc_profile")
_ORIENTATION = 0x0112
# Decoding is what costs memory, so pictures take turns: at most this many decode at once in
# this process, whoever sent them. The pixel budget bounds each one, this bounds their sum.
_DECODING = threading.BoundedSemaphore(DEFAULT_LIMITS.image_concurrent_decodes)


def clean_image(source: IO[bytes], *, kind: FileKind, limits: UploadLimits) -> IO[bytes]:
    """Decode ``source`` and return a fresh encoding of the same picture without metadata.

    The size in the header is checked first (nothing is decoded for a picture over the pixel
    budget); then the picture waits for one of the process's decoding turns."""
    _check_header(source, fmt=_PILLOW_FORMAT[kind], limits=limits)
    if not _DECODING.acquire(timeout=limits.image_decode_wait_seconds):
        raise RateLimited(
            _("The server is busy with other pictures. Try again in a minute."),
            code="busy",
            extra={"retry_after_seconds": 60},
        )
    try:
        return _clean_image(source, kind=kind, limits=limits)
    finally:
        _DECODING.release()


def _check_header(source: IO[bytes], *, fmt: str, limits: UploadLimits) -> None:
    """Refuse a picture whose header declares more pixels than the budget, before any turn
    is waited for or anything decoded (opening reads the header only)."""
    source.seek(0)
    try:
        with Image.open(source, formats=[fmt]) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        _refuse_too_large(limits)
    except Exception:
        refuse(_("This image is damaged or could not be read."), "image_unreadable")
    if width * height > limits.image_max_pixels:
        _refuse_too_large(limits)


def _clean_image(source: IO[bytes], *, kind: FileKind, limits: UploadLimits) -> IO[bytes]:
    fmt = _PILLOW_FORMAT[kind]
    lossless = fmt == "WEBP" and _is_lossless_webp(source)  # keep lossless pictures lossless
    source.seek(0)
    try:
        with Image.open(source, formats=[fmt]) as image:
            width, height = image.size
            if width * height > limits.image_max_pixels:
                _refuse_too_large(limits)
            # A phone's multi-picture JPEG (MPO) keeps only its primary picture: the others are
            # previews and depth maps, each with its own EXIF.
            frames = 1 if fmt == "JPEG" else getattr(image, "n_frames", 1)
            if frames > 1:
                if frames > limits.image_max_frames or (
                    frames * width * height > limits.animation_max_pixels
                ):
                    _refuse_too_large(limits)
                return _reencode_animation(image, fmt=fmt, limits=limits)
            return _reencode_still(image, fmt=fmt, lossless=lossless, limits=limits)
    except Image.DecompressionBombError:
        _refuse_too_large(limits)
    except ValidationFailed:
        raise
    except Exception:
        # Decoders meet hostile input here; whatever they trip over, the answer is a refusal.
        refuse(_("This image is damaged or could not be read."), "image_unreadable")


def _is_lossless_webp(source: IO[bytes]) -> bool:
    # Walk the first few RIFF chunks to the bitstream: "VP8L" is lossless, "VP8 " lossy.
    offset = 12
    for _chunk in range(16):
        source.seek(offset)
        header = source.read(8)
        if len(header) < 8:
            return False
        fourcc, size = header[:4], int.from_bytes(header[4:], "little")
        if fourcc in (b"VP8L", b"VP8 "):
            return fourcc == b"VP8L"
        offset += 8 + size + (size & 1)
    return False


def _refuse_too_large(limits: UploadLimits) -> NoReturn:
    refuse(
        _("This image has too many pixels."),
        "image_too_large",
        max_pixels=limits.image_max_pixels,
    )


def _reencode_still(
    image: Image.Image, *, fmt: str, lossless: bool, limits: UploadLimits
) -> IO[bytes]:
    image.seek(0)
    image.load()
    info = image.info
    if image.getexif().get(_ORIENTATION, 1) in (None, 1):
        clean = _without_metadata(image, info)
    else:
        clean = _without_metadata(ImageOps.exif_transpose(image), info)
        image.close()  # free the sideways pixels now: a large photo would otherwise be held twice
    options: dict = {}
    if fmt == "JPEG":
        if clean.mode not in ("L", "RGB", "CMYK"):
            clean = clean.convert("RGB")
        options = {"quality": limits.jpeg_quality, "optimize": True}
    elif fmt == "WEBP":
        options = {"lossless": lossless, "quality": limits.jpeg_quality}
    return _save([clean], fmt=fmt, options=options, limits=limits)


def _reencode_animation(image: Image.Image, *, fmt: str, limits: UploadLimits) -> IO[bytes]:
    frames: list[Image.Image] = []
    durations: list[int] = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        image.load()
        durations.append(int(image.info.get("duration", 100) or 100))
        # Frames are copied fully composed, so no disposal tricks are needed to replay them.
        frames.append(_without_metadata(image.convert("RGBA"), {}))
    options = {
        "save_all": True,
        "append_images": frames[1:],
        "duration": durations,
        "loop": int(image.info.get("loop", 0) or 0),
    }
    if fmt == "WEBP":
        options["lossless"] = True
    return _save(frames[:1], fmt=fmt, options=options, limits=limits)


def _without_metadata(picture: Image.Image, original_info: dict) -> Image.Image:
    """Replace ``info`` (in place, to avoid copying the pixels) with the drawing hints we keep.

    Decoded and derived images carry the source's metadata in ``info``, and encoders read it back
    out of there when saving.
    """
    picture.info = {key: original_info[key] for key in _KEPT_INFO if key in original_info}
    return picture


def _save(frames: list[Image.Image], *, fmt: str, options: dict, limits: UploadLimits) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(max_size=limits.spool_memory_bytes)  # noqa: SIM115
    try:
        icc = frames[0].info.get("icc_profile")
        if icc:
            options = {**options, "icc_profile": icc}
        frames[0].save(out, format=fmt, **options)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out
