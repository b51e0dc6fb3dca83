"""The limits every upload is held to, and the one way this package refuses a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from mentorhaven.kernel.errors import ValidationFailed

MiB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on the work one upload may cost us. ``max_bytes`` is passed per call instead."""

    chunk_bytes: int = 64 * 1024
    spool_memory_bytes: int = 1 * MiB  # beyond this the copy goes to an unnamed temporary file
    name_max_bytes: int = 150
    # Images: a pixel budget checked from the header, before anything is decoded or turned
    # upright. 40 million pixels (e.g. 7300 x 5470, beyond any phone camera) decode to at most
    # 160 MB (4 bytes a pixel), twice that while an EXIF rotation makes its copy; with at most
    # ``image_concurrent_decodes`` pictures decoding at once per process, pictures cannot cost
    # more than about 0.65 GB together however many arrive (benchmarks/bench_hostile_uploads.py).
    image_max_pixels: int = 40_000_000
    image_max_frames: int = 300
    animation_max_pixels: int = 40_000_000  # summed over all frames
    image_concurrent_decodes: int = 2
    image_decode_wait_seconds: float = 60.0  # then the upload is refused as "busy, try again"
    jpeg_quality: int = 90
    # Zip-based office documents, judged from the central directory without extracting.
    zip_max_entries: int = 2_000
    zip_max_total_uncompressed: int = 256 * MiB
    zip_max_entry_ratio: int = 100
    zip_ratio_floor_bytes: int = 1 * MiB  # small entries may compress well without being bombs
    zip_max_manifest_bytes: int = 1 * MiB  # [Content_Types].xml or the ODF mimetype entry
    # PDF: parsing time and memory grow with the number of objects (a 25 MiB CV has hundreds).
    pdf_max_objects: int = 200_000


DEFAULT_LIMITS = UploadLimits()


def refuse(message: Any, code: str, **extra: Any) -> NoReturn:
    """Reject the upload. ``extra`` carries limits and counts only, never names or content."""
    raise ValidationFailed(message, code=code, extra=extra)
