"""File upload and download through the real service path, with peak memory growth.

    MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_files.py [--size-mib 200]

Uploads a generated text file (default 200 MiB) with ``files.services.file_upload`` — the
inspection of ``files.validation``, streaming encryption under the uploader's key, the row and
its audit event — then downloads it as the mentor through the HTTP page (access check, audited
read, decryption, streamed attachment response), reading the body chunk by chunk as a client
would. Prints one JSON line: throughput each way, and how much the process's peak RSS grew while
it ran (target: < 50 MiB). Uses a throw-away test database, master key and file store.
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
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from mentorhaven.kernel import vault  # noqa: E402

TARGET_GROWTH_MIB = 50


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


class GeneratedText(io.RawIOBase):
    """``size`` bytes of plain UTF-8 text made on the fly; nothing big is ever held."""

    def __init__(self, size: int):
        self.left = size
        line = b"Notes from our mentoring session: goals, progress, next steps. 0123456789\n"
        self.block = line * ((1 << 20) // len(line))
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


def _status_mib(field: str) -> float | None:
    with contextlib.suppress(OSError), open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux), so that earlier peaks (creating the test
    database, say) cannot hide the growth being measured."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def current_rss_mib() -> float:
    value = _status_mib("VmRSS")
    return value if value is not None else peak_rss_mib()


def peak_rss_mib() -> float:
    value = _status_mib("VmHWM")
    if value is not None:
        return value
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(size: int, media: str) -> dict:
    from mentorhaven.files.services import file_upload
    from mentorhaven.mentoring.services import relationship_accept, relationship_propose
    from tests.conftest import make_personas

    people = make_personas()
    relationship = relationship_propose(
        actor=people.coordinator, program=people.program, mentee=people.cara, mentor=people.ana
    )
    relationship_accept(actor=people.cara, relationship=relationship)
    relationship = relationship_accept(actor=people.ana, relationship=relationship)
    client = Client()
    client.force_login(people.ana)
    client.get("/")  # warm up the page machinery before the baseline

    source = GeneratedText(size)
    peak_was_reset = reset_peak()
    before = current_rss_mib() if peak_was_reset else peak_rss_mib()
    with override_settings(FILES_MAX_UPLOAD_MB=(size >> 20) + 1):
        start = time.perf_counter()
        stored = file_upload(
            actor=people.cara, fileobj=source, declared_name="notes.txt", relationship=relationship
        )
        uploaded = time.perf_counter() - start
    after_upload = peak_rss_mib()
    sealed_size = os.path.getsize(os.path.join(media, stored.storage_name))

    start = time.perf_counter()
    response = client.get(f"/files/{stored.public_id}/content/")
    assert response.status_code == 200 and response.streaming, response.status_code
    digest, total = hashlib.sha256(), 0
    for chunk in response.streaming_content:
        digest.update(chunk)
        total += len(chunk)
    downloaded = time.perf_counter() - start
    after = peak_rss_mib()
    assert total == size and digest.digest() == source.digest.digest()
    mib = size / (1 << 20)
    growth = after - before
    return {
        "name": "files_upload_download",
        "size_bytes": size,
        "stored_bytes": sealed_size,
        "upload_mib_per_s": round(mib / uploaded, 1),
        "download_mib_per_s": round(mib / downloaded, 1),
        "upload_seconds": round(uploaded, 2),
        "download_seconds": round(downloaded, 2),
        "rss_before_mib": round(before, 1),
        "peak_mark_reset": peak_was_reset,
        "peak_rss_growth_upload_mib": round(after_upload - before, 1),
        "peak_rss_growth_mib": round(growth, 1),
        "target_growth_mib": TARGET_GROWTH_MIB,
        "target_met": growth < TARGET_GROWTH_MIB,
        "round_trip_verified": True,
        "path": "files.services.file_upload; GET /files/<id>/content/ as the mentor",
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=200, help="file size in MiB")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    with tempfile.TemporaryDirectory(prefix="mh-bench-files-") as tmp:
        media = str(Path(tmp) / "media")
        vault.set_key_provider(vault.FileKeyProvider(path=str(Path(tmp) / "master.key")))
        storages = {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": media},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        try:
            with override_settings(STORAGES=storages, ALLOWED_HOSTS=["testserver"]):
                print(json.dumps(run(args.size_mib << 20, media)), flush=True)
        finally:
            vault.set_key_provider(None)
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
