"""The archive's encrypted stream: AES-256-GCM in chunks of 1 MiB under a key derived from the
master key (the package's docstring gives the layout and what each chunk's nonce and associated
data bind)."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import struct
from collections.abc import Iterator
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"MENTORHAVEN-BACKUP\x00\x01"
FORMAT = 1
CHUNK = 1 << 20
KEY_PURPOSE = "backup archive"
TAG = 16
COPY_BLOCK = 1 << 16


class BackupError(Exception):
    """A backup cannot be made or restored; the message is for the operator."""


def _key(version: str) -> bytes:
    from mentorhaven.kernel import vault

    try:
        return vault.key_provider().derived_key(KEY_PURPOSE, version)
    except Exception:
        raise BackupError(
            f"the backup is encrypted under master key version {version!r}, which this "
            "installation's key file does not hold (retired, or another installation's key)"
        ) from None


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that seals what it is given into chunks of ``CHUNK`` bytes."""

    def __init__(self, out: IO[bytes], *, version: str) -> None:
        self.out = out
        self.prefix = secrets.token_bytes(7)
        header = json.dumps(
            {"format": FORMAT, "key_version": version, "nonce_prefix": self.prefix.hex()},
            sort_keys=True,
        ).encode()
        preamble = MAGIC + struct.pack(">I", len(header)) + header
        out.write(preamble)
        self.aad = hashlib.sha256(preamble).digest()
        self.aead = AESGCM(_key(version))
        self.buffer = bytearray()
        self.number = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # keep at least one byte back for the last chunk
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.prefix, self.number, last), plain, self.aad)
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.number += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


def _read_exact(source: IO[bytes], n: int) -> bytes:
    data = source.read(n)
    if len(data) != n:
        raise BackupError("the backup is damaged: it ends early (cut short or truncated)")
    return data


def _open_chunk(
    aead: AESGCM, prefix: bytes, number: int, sealed: bytes, aad: bytes
) -> tuple[bool, bytes] | None:
    """(is it the last chunk, its plaintext), or None when it fails authentication."""
    for last in (False, True):
        try:
            return last, aead.decrypt(_nonce(prefix, number, last), sealed, aad)
        except InvalidTag:
            pass
    return None


def _decrypted_chunks(source: IO[bytes]) -> Iterator[bytes]:
    """Yield each chunk's plaintext once it has authenticated; ``BackupError`` otherwise."""
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise BackupError("this is not a MentorHaven backup (or its first bytes are damaged)")
    length_bytes = _read_exact(source, 4)
    (length,) = struct.unpack(">I", length_bytes)
    if length > 4096:
        raise BackupError("the backup is damaged: its header is not readable")
    header_bytes = _read_exact(source, length)
    try:
        header = json.loads(header_bytes)
        prefix = bytes.fromhex(header["nonce_prefix"])
        version = str(header["key_version"])
        usable = header["format"] == FORMAT and len(prefix) == 7
    except Exception:
        usable = False
    if not usable:
        raise BackupError("the backup is damaged: its header is not readable")
    aad = hashlib.sha256(magic + length_bytes + header_bytes).digest()
    aead = AESGCM(_key(version))
    number = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) < 4:
            raise BackupError("the backup is damaged: it ends early (cut short or truncated)")
        (size,) = struct.unpack(">I", size_bytes)
        if size < TAG or size > CHUNK + TAG:
            raise BackupError(f"the backup is damaged or altered (chunk {number})")
        sealed = _read_exact(source, size)
        opened = _open_chunk(aead, prefix, number, sealed, aad)
        if opened is None:
            raise BackupError(
                f"the backup is damaged or altered: chunk {number} fails its authentication "
                "check (or the master key is not the one it was made with)"
            )
        last, plain = opened
        yield plain
        number += 1
        if last:
            if source.read(1):
                raise BackupError("the backup is altered: there are bytes after its last chunk")
            return


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the authenticated plaintext; ``finish`` checks the end."""

    def __init__(self, source: IO[bytes]) -> None:
        self.chunks = _decrypted_chunks(source)
        self.pending = b""
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self.pending and not self.done:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                self.done = True
        n = min(len(target), len(self.pending))
        target[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def finish(self) -> None:
        """Read to the last chunk, so that truncation or trailing bytes are noticed."""
        while self.readinto(bytearray(COPY_BLOCK)):
            pass
