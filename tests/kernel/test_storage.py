"""Encrypted file storage: streaming round trips and every way to tamper with chunks."""

from __future__ import annotations

import gc
import hashlib
import io
import os
import re
import sys

import pytest
from django.core.files.storage import FileSystemStorage

from mentorhaven.accounts.models import User
from mentorhaven.kernel import storage, vault
from mentorhaven.kernel.errors import Erased
from tests.kernel.vault_helpers import keyring  # noqa: F401

pytestmark = pytest.mark.usefixtures("keyring")

CHUNK = storage.MIN_CHUNK  # small chunks: many of them in a small file
SEALED = CHUNK + storage.TAG_BYTES
HEAD = storage.HEADER.size


@pytest.fixture
def owner(db):
    return User.objects.create_user(email="owner@files.test", password="x" * 16)


@pytest.fixture
def store(tmp_path):
    return storage.EncryptedFileStore(FileSystemStorage(location=tmp_path), chunk_size=CHUNK)


def _binding(owner, row="f-1"):
    return vault.Binding("files_file", "content", row, str(owner.pk))


def _read(store, owner, name, binding=None) -> bytes:
    return b"".join(store.open(subject=owner, name=name, binding=binding or _binding(owner)))


def _path(store, name):
    return store.storage.path(name)


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17])
def test_round_trip_of_any_size(store, owner, size):
    data = os.urandom(size)
    name = store.store(subject=owner, fileobj=io.BytesIO(data), binding=_binding(owner))
    assert _read(store, owner, name) == data
    assert store.size(name) == size


def test_stored_bytes_are_ciphertext_under_a_random_name(store, owner):
    data = b"CONFIDENTIAL performance review of Cara " * 200
    name = store.store(subject=owner, fileobj=io.BytesIO(data), binding=_binding(owner))
    raw = open(_path(store, name), "rb").read()  # noqa: SIM115
    assert b"CONFIDENTIAL" not in raw
    again = store.store(subject=owner, fileobj=io.BytesIO(data), binding=_binding(owner))
    assert re.fullmatch(r"vault/[0-9a-f]{32}", name) and again != name


def test_plaintext_is_yielded_in_chunks_not_whole(store, owner):
    data = os.urandom(4 * CHUNK)
    name = store.store(subject=owner, fileobj=io.BytesIO(data), binding=_binding(owner))
    sizes = [len(c) for c in store.open(subject=owner, name=name, binding=_binding(owner))]
    assert sizes == [CHUNK] * 4


def _stored(store, owner, chunks=4, extra=10):
    data = os.urandom(chunks * CHUNK + extra)
    name = store.store(subject=owner, fileobj=io.BytesIO(data), binding=_binding(owner))
    return name, data


def _rewrite(store, name, transform):
    path = _path(store, name)
    raw = open(path, "rb").read()  # noqa: SIM115
    head, body = raw[:HEAD], raw[HEAD:]
    chunks = [body[i : i + SEALED] for i in range(0, len(body), SEALED)]
    head, chunks = transform(head, chunks)
    with open(path, "wb") as fh:
        fh.write(head + b"".join(chunks))


@pytest.mark.parametrize(
    "attack",
    [
        pytest.param(lambda h, c: (h, [c[1], c[0], *c[2:]]), id="reordered"),
        pytest.param(lambda h, c: (h, c[:-1]), id="truncated-at-a-chunk-boundary"),
        pytest.param(lambda h, c: (h, c[:2]), id="truncated-to-two-chunks"),
        pytest.param(lambda h, c: (h, [*c, c[0]]), id="chunk-appended"),
        pytest.param(lambda h, c: (h, [c[0], c[0], *c[2:]]), id="chunk-duplicated"),
        pytest.param(lambda h, c: (h, [*c[:-1], c[-1][:-1]]), id="last-byte-cut"),
        pytest.param(
            lambda h, c: (h, [c[0][:5] + bytes([c[0][5] ^ 1]) + c[0][6:], *c[1:]]),
            id="bit-flipped",
        ),
        pytest.param(lambda h, c: (h[:-1] + bytes([h[-1] ^ 1]), c), id="header-altered"),
    ],
)
def test_tampered_file_fails_to_decrypt(store, owner, attack):
    name, _ = _stored(store, owner)
    _rewrite(store, name, attack)
    with pytest.raises(vault.VaultError):
        _read(store, owner, name)


def test_chunk_swapped_in_from_another_file_fails(store, owner):
    first, _ = _stored(store, owner)
    second, _ = _stored(store, owner)
    donor = open(_path(store, second), "rb").read()  # noqa: SIM115
    donor_chunk = donor[HEAD + SEALED : HEAD + 2 * SEALED]
    _rewrite(store, first, lambda h, c: (h, [c[0], donor_chunk, *c[2:]]))
    with pytest.raises(vault.VaultError):
        _read(store, owner, first)


def test_file_moved_to_another_row_fails(store, owner):
    name, _ = _stored(store, owner)
    with pytest.raises(vault.VaultError):
        _read(store, owner, name, binding=_binding(owner, row="f-2"))


def test_no_plaintext_is_released_from_a_chunk_that_fails(store, owner):
    name, data = _stored(store, owner)
    _rewrite(store, name, lambda h, c: (h, [c[0], c[1][:-1] + bytes([c[1][-1] ^ 1]), *c[2:]]))
    received = []
    with pytest.raises(vault.VaultError):
        for chunk in store.open(subject=owner, name=name, binding=_binding(owner)):
            received.append(chunk)
    assert received == [data[:CHUNK]]


def test_shredded_owner_cannot_open_and_learns_it_before_any_byte(store, owner):
    name, _ = _stored(store, owner)
    vault.shred(owner)
    with pytest.raises(Erased):
        store.open(subject=owner, name=name, binding=_binding(owner))


def test_large_file_streams_through_fixed_size_reads(store, owner):
    """A source that refuses big reads proves the store never slurps the whole file."""

    class Source(io.RawIOBase):
        def __init__(self, total):
            self.left = total
            self.digest = hashlib.sha256()

        def readable(self):
            return True

        def read(self, n=-1):
            assert 0 < n <= CHUNK, "the store asked for more than one chunk"
            n = min(n, self.left)
            self.left -= n
            data = os.urandom(n)
            self.digest.update(data)
            return data

    source = Source(200 * CHUNK + 5)
    name = store.store(subject=owner, fileobj=source, binding=_binding(owner))
    digest = hashlib.sha256()
    for chunk in store.open(subject=owner, name=name, binding=_binding(owner)):
        assert len(chunk) <= CHUNK
        digest.update(chunk)
    assert digest.digest() == source.digest.digest()


def test_default_store_writes_through_djangos_default_storage(owner, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    store = storage.EncryptedFileStore()
    name = store.store(subject=owner, fileobj=io.BytesIO(b"hello"), binding=_binding(owner))
    assert (tmp_path / "media" / name).exists()
    assert _read(store, owner, name) == b"hello"
    store.delete(name)
    assert not (tmp_path / "media" / name).exists()


# --- the sealing writer: content produced rather than uploaded (data exports) -------------------


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17])
@pytest.mark.parametrize("piece", [1, 100, CHUNK + 3])
def test_sealing_writer_round_trips_however_it_is_written(store, owner, size, piece):
    data = os.urandom(size)
    with store.writer(subject=owner, binding=_binding(owner)) as sink:
        for start in range(0, size, piece):
            sink.write(data[start : start + piece])
            assert len(sink._pending) <= CHUNK  # never more than a chunk held back
        assert sink.tell() == size
    assert _read(store, owner, sink.name) == data
    with open(_path(store, sink.name), "rb") as stored:
        assert size < 64 or data[:64] not in stored.read()


def test_sealing_writer_stores_nothing_when_the_writing_fails(store, owner, tmp_path):
    with (
        pytest.raises(RuntimeError),
        store.writer(subject=owner, binding=_binding(owner)) as sink,
    ):
        sink.write(b"half an export")
        raise RuntimeError("the build failed")
    vault_dir = tmp_path / "vault"
    assert not vault_dir.exists() or not any(vault_dir.iterdir())


def test_a_failed_sealing_writer_is_discarded_at_once_not_sealed_when_collected(
    store, owner, monkeypatch
):
    ignored: list = []  # what Python reports as "Exception ignored in ..." (e.g. from __del__)
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    with (
        pytest.raises(RuntimeError),
        store.writer(subject=owner, binding=_binding(owner)) as sink,
    ):
        sink.write(b"half an export")
        raise RuntimeError("the build failed")
    assert sink.closed
    with pytest.raises(ValueError):
        sink.write(b"more")
    del sink
    gc.collect()
    assert ignored == []


def test_sealing_writer_output_is_bound_like_an_upload(store, owner):
    with store.writer(subject=owner, binding=_binding(owner, "job-1")) as sink:
        sink.write(b"an export")
    with pytest.raises(vault.VaultError):
        _read(store, owner, sink.name, _binding(owner, "job-2"))
