"""The demo program's library, filled by its coordinator; videos made here, never shipped."""

from __future__ import annotations

import io
import os

from mentorhaven.kernel.models import AuditEvent
from mentorhaven.library.services import resource_create
from tests.community.conftest import bearer  # noqa: F401 (the same API-token fixture)

FTYP = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


def mp4_bytes(payload_size: int = 4096, *, payload: bytes | None = None) -> bytes:
    """A structurally valid MP4 (``ftyp``, ``moov``, ``mdat``): enough for the upload checks,
    which look at the container and not at the pictures."""
    data = payload if payload is not None else os.urandom(payload_size)
    moov = (8).to_bytes(4, "big") + b"moov"
    mdat = (len(data) + 8).to_bytes(4, "big") + b"mdat" + data
    return FTYP + moov + mdat


_PATTERN = bytes(range(251)) * 300  # longer than one read plus one period


class Mp4Stream(io.RawIOBase):
    """A large MP4 produced as it is read, so a 50 MB upload costs no 50 MB in the test."""

    def __init__(self, payload_size: int) -> None:
        head = FTYP + (8).to_bytes(4, "big") + b"moov"
        head += (payload_size + 8).to_bytes(4, "big") + b"mdat"
        self._head = head
        self._left = payload_size
        self.size = len(head) + payload_size
        self._counter = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            piece, self._head = self._head[:size], self._head[size:]
            return piece
        n = min(size if 0 < size <= 65536 else 65536, self._left)
        self._left -= n
        # Deterministic bytes: position-dependent so that a wrong offset is caught.
        start = self._counter
        self._counter += n
        offset = start % 251
        return _PATTERN[offset : offset + n]


def payload_byte(position: int) -> int:
    """The byte of an ``Mp4Stream`` payload at ``position`` (counted within the payload)."""
    return position % 251


def webm_bytes(seconds: float = 2.0) -> bytes:
    """A real, playable and seekable WebM (VP8), made with PyAV."""
    import av
    import numpy as np

    out = io.BytesIO()
    with av.open(out, mode="w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(int(seconds * 10)):
            frame = np.full((48, 64, 3), (i * 12) % 256, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def add(personas, kind="article", *, audience="all", actor=None, **fields):
    defaults = {
        "title": "Giving feedback",
        "description": "How to say what went well and what did not",
        "tags": "feedback, conversations",
        "body": "Start with what went well." if kind == "article" else "",
        "url": "https://example.org/feedback" if kind == "link" else "",
    }
    defaults.update(fields)
    return resource_create(
        actor=actor or personas.coordinator,
        program=personas.program,
        kind=kind,
        audience=audience,
        **defaults,
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))
