"""Vault benchmarks: field decryption throughput and streaming file memory.

    MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_vault.py [--size-mib 1024] [--calls N]

Prints one JSON line per figure:

* ``vault_decrypt_1kib``: ``vault.decrypt`` of a 1 KiB value per second on one core (data key
  cached, as in steady state), next to raw ``AESGCM.decrypt`` of 1 KiB in the same run, and the
  ratio. Target: 200,000/s.
* ``vault_file_stream``: a file (default 1 GiB) sealed into the encrypted store and read back,
  with throughput and the growth of the process's peak RSS while it ran.

It uses a throw-away test database and a throw-away master key, never the development ones.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
os.environ.setdefault("MENTORHAVEN_ENV", "test")

import django

django.setup()

import cryptography  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from django.core.files.storage import FileSystemStorage  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from mentorhaven.kernel import storage, vault  # noqa: E402


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "cryptography": cryptography.__version__,
        "database": connection.vendor,
    }


def pin_to_one_core() -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})


def rate(fn, calls: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn(calls)
        best = min(best, time.perf_counter() - start)
    return calls / best


def bench_decrypt(subject_id: int, calls: int) -> dict:
    binding = vault.Binding("mentoring_note", "body", "0f8e6a52-6c1e-4c38-9e57-1b5c0d7a1f44", "1")
    plaintext = os.urandom(1024)
    sealed = vault.encrypt(subject_id, plaintext, binding)
    assert vault.decrypt(subject_id, sealed, binding) == plaintext

    def through_vault(n: int) -> None:
        decrypt = vault.decrypt
        for _ in range(n):
            decrypt(subject_id, sealed, binding)

    key = vault.data_key(subject_id)
    aead = AESGCM(key)
    nonce, body, aad = sealed[1:13], sealed[13:], binding.aad()

    def raw(n: int) -> None:
        decrypt = aead.decrypt
        for _ in range(n):
            decrypt(nonce, body, aad)

    # The model-field path: descriptor, binding from the row, then vault.decrypt.
    from mentorhaven.kernel.fields import Sealed
    from tests.kernel.vault_helpers import EncryptionProbe

    probe = EncryptionProbe(author_id=subject_id, body="x" * 1024)
    field_sealed = Sealed(EncryptionProbe._meta.get_field("body").pre_save(probe, add=True))

    def through_field(n: int) -> None:
        state = probe.__dict__
        for _ in range(n):
            state["body"] = field_sealed
            probe.body  # noqa: B018

    vault_rate = rate(through_vault, calls)
    raw_rate = rate(raw, calls)
    field_rate = rate(through_field, calls)
    return {
        "name": "vault_decrypt_1kib",
        "vault_decrypt_per_s": round(vault_rate),
        "raw_aesgcm_decrypt_per_s": round(raw_rate),
        "ratio_vault_to_raw": round(vault_rate / raw_rate, 3),
        "model_field_read_per_s": round(field_rate),
        "target_per_s": 200_000,
        "target_met": vault_rate >= 200_000,
        "calls": calls,
        "one_core": True,
        "machine": machine(),
    }


class GeneratedSource(io.RawIOBase):
    """``size`` bytes made on the fly from one random block: nothing big is ever held."""

    def __init__(self, size: int):
        self.left = size
        self.block = os.urandom(1 << 20)
        self.offset = 0
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n is None or n < 0 else min(n, self.left)
        parts = []
        while n:
            take = min(n, len(self.block) - self.offset)
            parts.append(self.block[self.offset : self.offset + take])
            self.offset = (self.offset + take) % len(self.block)
            n -= take
        data = b"".join(parts)
        self.left -= len(data)
        self.digest.update(data)
        return data


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def bench_stream(subject_id: int, size: int) -> dict:
    binding = vault.Binding("files_file", "content", "bench-file", str(subject_id))
    with tempfile.TemporaryDirectory(prefix="mh-bench-") as tmp:
        store = storage.EncryptedFileStore(FileSystemStorage(location=tmp))
        source = GeneratedSource(size)
        before = peak_rss_mib()
        start = time.perf_counter()
        name = store.store(subject=subject_id, fileobj=source, binding=binding)
        written = time.perf_counter() - start
        sealed_size = store.storage.size(name)
        digest = hashlib.sha256()
        start = time.perf_counter()
        total = 0
        for chunk in store.open(subject=subject_id, name=name, binding=binding):
            digest.update(chunk)
            total += len(chunk)
        read = time.perf_counter() - start
        after = peak_rss_mib()
    assert total == size and digest.digest() == source.digest.digest()
    mib = size / (1 << 20)
    return {
        "name": "vault_file_stream",
        "size_bytes": size,
        "stored_bytes": sealed_size,
        "chunk_bytes": storage.CHUNK_SIZE,
        "write_mib_per_s": round(mib / written, 1),
        "read_mib_per_s": round(mib / read, 1),
        "peak_rss_before_mib": round(before, 1),
        "peak_rss_growth_mib": round(after - before, 1),
        "round_trip_verified": True,
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="streamed file size")
    parser.add_argument("--calls", type=int, default=300_000, help="decrypt calls per repeat")
    args = parser.parse_args()

    pin_to_one_core()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    with tempfile.TemporaryDirectory(prefix="mh-bench-key-") as keydir:
        vault.set_key_provider(vault.FileKeyProvider(path=str(Path(keydir) / "master.key")))
        try:
            from mentorhaven.accounts.models import User

            user = User.objects.create_user(email="bench@vault.test", password=None)
            print(json.dumps(bench_decrypt(user.pk, args.calls)), flush=True)
            print(json.dumps(bench_stream(user.pk, args.size_mib << 20)), flush=True)
        finally:
            vault.set_key_provider(None)
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
