"""Encrypted file storage: chunked, streaming AES-256-GCM under the owner's data key.

::

    store = EncryptedFileStore()                       # Django's default storage underneath
    name = store.store(subject=owner, fileobj=upload, binding=binding)
    for chunk in store.open(subject=owner, name=name, binding=binding):
        ...                                            # plaintext, 64 KiB at a time

The file is never whole in memory: one chunk is read, sealed and written at a time, so a 1 GB
upload costs the same memory as a 1 MB one (``benchmarks/bench_vault.py`` measures it).

Layout of a stored object::

    header  = "MHF" 0x01 | chunk size (4 bytes) | salt (16) | nonce prefix (8)
    chunk_i = AES-256-GCM(file key, nonce = prefix | i (4 bytes),
                          plaintext chunk, AAD = header | i (8 bytes) | final flag (1 byte))

The file key is HKDF(subject data key, salt, binding), so every file has its own key and the
object is tied to its place (table, column, row, subject). Each chunk carries its index and
whether it is the last one in its AAD: reordered, swapped, dropped, appended or truncated
chunks fail authentication. Each chunk is authenticated before it is handed out, so no
unauthenticated plaintext ever leaves ``open``; a failure part-way through a download raises
``VaultError`` after the chunks before it (a client sees a broken transfer, not wrong bytes).

Ranges (``open_range``): because every chunk is sealed on its own, a byte range is served by
seeking to the first chunk that covers it and decrypting only the chunks up to the last one;
the final flag of the last stored chunk is known from the object's size, so a truncated object
still fails authentication. A seek in a 1 GB video costs one or two chunks, not the file.

Shredding the owner makes ``open`` raise ``Erased``. Stored names are random (``vault/<hex>``):
they reveal nothing about the original file name or owner.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import secrets
import struct
import tempfile
import uuid
from collections.abc import Iterator
from typing import IO, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.views.decorators.debug import sensitive_variables

from mentorhaven.kernel import vault
from mentorhaven.kernel.people import PersonRef

MAGIC = b"MHF\x01"
CHUNK_SIZE = 64 * 1024
TAG_BYTES = 16
SALT_BYTES = 16
PREFIX_BYTES = 8
HEADER = struct.Struct(f">4sI{SALT_BYTES}s{PREFIX_BYTES}s")
MIN_CHUNK, MAX_CHUNK = 1024, 16 * 1024 * 1024
MAX_CHUNKS = 2**32


@sensitive_variables()
def _file_cipher(
    subject: PersonRef, salt: bytes, binding: vault.Binding, *, create: bool
) -> AESGCM:
    data_key = vault.data_key(subject, create=create)
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=vault.KEY_BYTES,
        salt=salt,
        info=b"mentorhaven-file\x1f" + binding.aad(),
    )
    return AESGCM(hkdf.derive(data_key))


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def _read_exact(source: IO[bytes], size: int) -> bytes:
    """Read ``size`` bytes, or fewer only at the end of the stream."""
    data = source.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    remaining = size - len(data)
    while remaining:
        more = source.read(remaining)
        if not more:
            break
        parts.append(more)
        remaining -= len(more)
    return b"".join(parts)


class _ChunkSealer:
    """Seals the chunks of one stored object in order: a fresh salt, nonce prefix and file key."""

    def __init__(self, subject: PersonRef, binding: vault.Binding, chunk_size: int) -> None:
        if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
            raise ValueError("chunk size out of range")
        salt = secrets.token_bytes(SALT_BYTES)
        self.prefix = secrets.token_bytes(PREFIX_BYTES)
        self.header = HEADER.pack(MAGIC, chunk_size, salt, self.prefix)
        self.cipher = _file_cipher(subject, salt, binding, create=True)
        self.index = 0

    def seal(self, chunk: bytes, *, final: bool) -> bytes:
        if self.index >= MAX_CHUNKS:
            raise ValueError("file too large for one stored object")
        sealed = self.cipher.encrypt(
            _nonce(self.prefix, self.index), chunk, _aad(self.header, self.index, final)
        )
        self.index += 1
        return sealed


def encrypt_stream(
    subject: PersonRef, source: IO[bytes], binding: vault.Binding, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """The sealed form of ``source``: the header, then one sealed chunk at a time."""
    sealer = _ChunkSealer(subject, binding, chunk_size)
    yield sealer.header
    current = _read_exact(source, chunk_size)
    while True:
        following = _read_exact(source, chunk_size) if len(current) == chunk_size else b""
        final = not following
        yield sealer.seal(current, final=final)
        if final:
            return
        current = following


class SealingWriter(io.RawIOBase):
    """A write-only, non-seekable file whose bytes are sealed as they arrive.

    For content that is *produced* rather than read from an upload (a data export being zipped):
    at most two chunks of plaintext are held at a time, each full chunk is sealed and written to
    ``sink`` (an ordinary file: it only ever receives ciphertext), and ``close`` seals the last
    chunk with the final flag. The object written is exactly what ``encrypt_stream`` produces.
    """

    def __init__(
        self, subject: PersonRef, binding: vault.Binding, sink: IO[bytes], chunk_size: int
    ) -> None:
        super().__init__()
        self._sealer = _ChunkSealer(subject, binding, chunk_size)
        self._sink = sink
        self._chunk_size = chunk_size
        self._pending = bytearray()
        self._written = 0
        self.name = ""  # the stored name, once ``EncryptedFileStore.writer`` has saved it
        sink.write(self._sealer.header)

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._written

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("write to a closed sealing writer")
        view = bytes(data)
        self._pending += view
        self._written += len(view)
        # Keep the last full chunk back: only ``close`` knows which chunk is final.
        while len(self._pending) > self._chunk_size:
            chunk = bytes(self._pending[: self._chunk_size])
            del self._pending[: self._chunk_size]
            self._sink.write(self._sealer.seal(chunk, final=False))
        return len(view)

    def close(self) -> None:
        if not self.closed:
            self._sink.write(self._sealer.seal(bytes(self._pending), final=True))
            self._pending = bytearray()
            self._sink.flush()
        super().close()

    def discard(self) -> None:
        """Close without sealing the last chunk: what was written is being thrown away. (Left
        open, the writer would try to seal it into a sink already gone when it is collected.)"""
        self._pending = bytearray()
        super().close()


def decrypt_stream(
    subject: PersonRef, source: IO[bytes], binding: vault.Binding
) -> Iterator[bytes]:
    """Plaintext chunks of a sealed stream; raises ``VaultError`` on any tampering.

    The header is read, the key checked and the first chunk authenticated at once
    (``Erased``/``VaultError`` here, before a response starts); the other chunks are then
    decrypted lazily.
    """
    header = _read_exact(source, HEADER.size)
    if len(header) != HEADER.size:
        raise vault.VaultError("not an encrypted file")
    magic, chunk_size, salt, prefix = HEADER.unpack(header)
    if magic != MAGIC or not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        raise vault.VaultError("not an encrypted file")
    cipher = _file_cipher(subject, salt, binding, create=False)
    chunks = _decrypt_chunks(cipher, source, header, chunk_size + TAG_BYTES, prefix)
    # The first chunk is authenticated now, before any response starts: a blob moved to another
    # file or relationship fails here (an error page), not half-way through a download.
    first = next(chunks)
    return itertools.chain((first,), chunks)


def _decrypt_chunks(
    cipher: AESGCM, source: IO[bytes], header: bytes, sealed_size: int, prefix: bytes
) -> Iterator[bytes]:
    index = 0
    current = _read_exact(source, sealed_size)
    while True:
        following = _read_exact(source, sealed_size) if len(current) == sealed_size else b""
        final = not following
        try:
            plaintext = cipher.decrypt(_nonce(prefix, index), current, _aad(header, index, final))
        except Exception:
            raise vault.VaultError("encrypted file has been altered or moved") from None
        yield plaintext
        if final:
            return
        index += 1
        current = following


def plaintext_size(sealed_size: int, chunk_size: int = CHUNK_SIZE) -> int:
    """The plaintext size of a sealed object of ``sealed_size`` bytes (no decryption needed)."""
    body = sealed_size - HEADER.size
    chunks = max(1, -(-body // (chunk_size + TAG_BYTES)))
    return body - chunks * TAG_BYTES


def _decrypt_range(
    cipher: AESGCM,
    source: IO[bytes],
    header: bytes,
    *,
    chunk_size: int,
    chunk_count: int,
    prefix: bytes,
    start: int,
    end: int,
) -> Iterator[bytes]:
    """Plaintext bytes ``start``..``end`` (inclusive), decrypting only the chunks covering them."""
    sealed_size = chunk_size + TAG_BYTES
    first, last = start // chunk_size, end // chunk_size
    source.seek(HEADER.size + first * sealed_size)
    for index in range(first, last + 1):
        sealed = _read_exact(source, sealed_size)
        final = index == chunk_count - 1
        try:
            plaintext = cipher.decrypt(_nonce(prefix, index), sealed, _aad(header, index, final))
        except Exception:
            raise vault.VaultError("encrypted file has been altered or moved") from None
        offset = index * chunk_size
        yield plaintext[max(start - offset, 0) : end - offset + 1]


class _SealedContent(File[bytes]):
    """A Django ``File`` whose content is produced, sealed, as the storage reads it."""

    def __init__(self, pieces: Iterator[bytes], name: str) -> None:
        super().__init__(None, name)
        self._pieces = pieces
        self._buffer = b""

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        if self._buffer:
            yield self._buffer
            self._buffer = b""
        yield from self._pieces

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self._buffer + b"".join(self._pieces)
        while len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        raise OSError("sealed content is a stream")

    def close(self) -> None:
        self._pieces = iter(())


def _closing(chunks: Iterator[bytes], handle: IO[bytes]) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        handle.close()


class EncryptedFileStore:
    """Sealed files on top of any Django storage (local disk by default, S3-like later)."""

    def __init__(self, storage: Storage | None = None, *, chunk_size: int = CHUNK_SIZE) -> None:
        self.storage = storage if storage is not None else default_storage
        self.chunk_size = chunk_size

    def store(self, *, subject: PersonRef, fileobj: IO[bytes], binding: vault.Binding) -> str:
        """Seal ``fileobj`` under ``subject``'s data key; returns the stored name."""
        name = f"vault/{uuid.uuid4().hex}"
        pieces = encrypt_stream(subject, fileobj, binding, chunk_size=self.chunk_size)
        return self.storage.save(name, _SealedContent(pieces, name))

    @contextlib.contextmanager
    def writer(self, *, subject: PersonRef, binding: vault.Binding) -> Iterator[SealingWriter]:
        """A file to write plaintext into, sealed as it goes; the stored name is then in
        ``writer.name``. Memory stays at two chunks however much is written: the ciphertext
        spools to a temporary file and is handed to the storage when the block ends. Nothing is
        stored if the block raises."""
        with tempfile.TemporaryFile() as sink:
            sealing = SealingWriter(subject, binding, sink, self.chunk_size)
            try:
                yield sealing
            except BaseException:
                sealing.discard()
                raise
            sealing.close()
            sink.seek(0)
            name = f"vault/{uuid.uuid4().hex}"
            sealing.name = self.storage.save(name, File(sink, name))

    def open(self, *, subject: PersonRef, name: str, binding: vault.Binding) -> Iterator[bytes]:
        """Plaintext chunks of a stored file. ``Erased`` once the subject is shredded."""
        handle = self.storage.open(name, "rb")
        try:
            chunks = decrypt_stream(subject, handle, binding)
        except BaseException:
            handle.close()
            raise
        return _closing(chunks, handle)

    def open_range(
        self, *, subject: PersonRef, name: str, binding: vault.Binding, start: int, end: int
    ) -> Iterator[bytes]:
        """Plaintext bytes ``start`` to ``end`` (inclusive) of a stored file, one chunk at a
        time. Only the chunks that cover the range are read and decrypted; the first is
        authenticated before this returns (``Erased``/``VaultError`` before a response starts).
        ``end`` past the end of the file is an error: the caller clamps it to ``size - 1``."""
        if start < 0 or end < start:
            raise ValueError("empty or negative range")
        handle = self.storage.open(name, "rb")
        try:
            header = _read_exact(handle, HEADER.size)
            if len(header) != HEADER.size:
                raise vault.VaultError("not an encrypted file")
            magic, chunk_size, salt, prefix = HEADER.unpack(header)
            if magic != MAGIC or not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
                raise vault.VaultError("not an encrypted file")
            body = self.storage.size(name) - HEADER.size
            chunk_count = max(1, -(-body // (chunk_size + TAG_BYTES)))
            if end >= plaintext_size(body + HEADER.size, chunk_size):
                raise ValueError("range past the end of the file")
            cipher = _file_cipher(subject, salt, binding, create=False)
            pieces = _decrypt_range(
                cipher,
                handle,
                header,
                chunk_size=chunk_size,
                chunk_count=chunk_count,
                prefix=prefix,
                start=start,
                end=end,
            )
            first = next(pieces)
        except BaseException:
            handle.close()
            raise
        return _closing(itertools.chain((first,), pieces), handle)

    def size(self, name: str) -> int:
        return plaintext_size(self.storage.size(name), self.chunk_size)

    def delete(self, name: str) -> None:
        self.storage.delete(name)
