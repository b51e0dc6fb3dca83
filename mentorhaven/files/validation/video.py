"""Video files (MP4 and WebM) for the resource library, recognised and checked from content.

Videos are not re-encoded (that would need a media toolchain on the server and minutes of work
per upload); they are checked instead. The container must be exactly what it says and nothing
more: an MP4 is a sequence of ISO boxes that starts with ``ftyp`` naming an MP4 brand, holds a
``moov`` and an ``mdat`` and whose box sizes add up to the file's size (no trailing payload, no
second file glued on); a WebM is an EBML header whose DocType is ``webm`` followed by one
Segment. Anything else is refused. The browser plays the file in a ``<video>`` element from a
response with ``nosniff`` and a sandboxing CSP, so a video never runs as a page.
"""

from __future__ import annotations

from typing import IO, NoReturn

from django.utils.translation import gettext_lazy as _

from .kinds import FileKind
from .limits import refuse

MP4 = FileKind("mp4", "video/mp4", (".mp4", ".m4v"))
WEBM = FileKind("webm", "video/webm", (".webm",))
VIDEO_KINDS = (MP4, WEBM)

# Major or compatible brands of MP4 files browsers play (ISO base media, MPEG-4, DASH, Apple).
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V "}
)
MAX_TOP_LEVEL_BOXES = 10_000
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_SEGMENT_ID = b"\x18\x53\x80\x67"
_DOCTYPE_ID = 0x4282


def sniff_video(head: bytes) -> FileKind | None:
    """MP4 or WebM by their first bytes, else None (then the file is not a video)."""
    if head[4:8] == b"ftyp":
        return MP4
    if head.startswith(_EBML_MAGIC):
        return WEBM
    return None


def check_video(spool: IO[bytes], *, size: int) -> FileKind:
    """The kind of a video upload whose structure checks out; ``ValidationFailed`` otherwise."""
    spool.seek(0)
    kind = sniff_video(spool.read(64))
    spool.seek(0)
    if kind is MP4:
        _check_mp4(spool, size=size)
    elif kind is WEBM:
        _check_webm(spool, size=size)
    else:
        refuse(_("Videos must be MP4 or WebM files."), "video_type_not_allowed")
    spool.seek(0)
    return kind


def _bad_video() -> NoReturn:
    refuse(_("This video file is damaged or not what its type says."), "video_malformed")


def _check_mp4(spool: IO[bytes], *, size: int) -> None:
    position, seen, boxes = 0, set(), 0
    while position < size:
        boxes += 1
        if boxes > MAX_TOP_LEVEL_BOXES:
            _bad_video()
        spool.seek(position)
        header = spool.read(8)
        if len(header) < 8:
            _bad_video()
        box_size, box_type = int.from_bytes(header[:4], "big"), header[4:8]
        header_size = 8
        if box_size == 1:
            large = spool.read(8)
            if len(large) < 8:
                _bad_video()
            box_size, header_size = int.from_bytes(large, "big"), 16
        elif box_size == 0:  # "to the end of the file": only the last box may say so
            box_size = size - position
        if box_size < header_size or position + box_size > size:
            _bad_video()
        if not all(32 <= b < 127 for b in box_type):
            _bad_video()
        if boxes == 1:
            if box_type != b"ftyp" or box_size < 16:
                _bad_video()
            body = spool.read(min(box_size - header_size, 4096))
            brands = {body[0:4]} | {body[i : i + 4] for i in range(8, len(body) - 3, 4)}
            if not brands & MP4_BRANDS:
                refuse(_("Videos must be MP4 or WebM files."), "video_type_not_allowed")
        seen.add(box_type)
        position += box_size
    if not {b"moov", b"mdat"} <= seen:
        _bad_video()


def _vint(spool: IO[bytes], *, keep_marker: bool) -> int:
    """One EBML variable-length integer (an element id keeps its length marker, a size not)."""
    first = spool.read(1)
    if not first:
        _bad_video()
    lead = first[0]
    length = next((n for n in range(8) if lead & (0x80 >> n)), None)
    if length is None:
        _bad_video()
    rest = spool.read(length)
    if len(rest) < length:
        _bad_video()
    value = lead if keep_marker else lead & (0xFF >> (length + 1))
    for byte in rest:
        value = (value << 8) | byte
    return value


def _check_webm(spool: IO[bytes], *, size: int) -> None:
    spool.seek(4)
    header_size = _vint(spool, keep_marker=False)
    header_end = spool.tell() + header_size
    if header_size > 4096 or header_end > size:
        _bad_video()
    doctype = None
    while spool.tell() < header_end:
        element = _vint(spool, keep_marker=True)
        length = _vint(spool, keep_marker=False)
        if spool.tell() + length > header_end:
            _bad_video()
        value = spool.read(length)
        if element == _DOCTYPE_ID:
            doctype = value.rstrip(b"\x00")
    if doctype != b"webm":
        refuse(_("Videos must be MP4 or WebM files."), "video_type_not_allowed")
    spool.seek(header_end)
    if spool.read(4) != _SEGMENT_ID:
        _bad_video()
