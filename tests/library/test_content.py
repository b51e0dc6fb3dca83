"""Serving a document or video: whole, or one byte range (RFC 9110), straight from the
encrypted store; memory stays bounded however large the video; access is checked on every
request, ranges included."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mentorhaven.library.domain import Outcome, resolve_range
from mentorhaven.library.models import Resource

from .conftest import Mp4Stream, add, mp4_bytes, payload_byte

pytestmark = pytest.mark.django_db

SIZE = 200_000  # several 64 KiB chunks


@pytest.fixture
def video(personas):
    data = mp4_bytes(SIZE)
    resource = add(
        personas, "video", title="Welcome", fileobj=io.BytesIO(data), declared_name="welcome.mp4"
    )
    return resource, data


def _get(client, user, resource, range_header=None, **extra):
    client.force_login(user)
    headers = {"Range": range_header} if range_header else {}
    return client.get(f"/library/{resource.public_id}/content", headers={**headers, **extra})


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_whole_video_is_streamed_with_accept_ranges(client, personas, video):
    resource, data = video
    response = _get(client, personas.cara, resource)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert _body(response) == data


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),  # the first bytes
        ("bytes=65530-131080", 65530, 131080),  # the middle, across chunk boundaries
        ("bytes=-500", None, None),  # the last 500 bytes
        ("bytes=100-", 100, None),  # from 100 to the end
        ("bytes=199000-999999999", 199000, None),  # an end past the file is clamped
    ],
)
def test_ranges_are_served_as_partial_content(client, personas, video, header, start, end):
    resource, data = video
    size = len(data)
    if start is None:
        start = size - 500
    if end is None:
        end = size - 1
    response = _get(client, personas.cara, resource, header)
    assert response.status_code == 206, header
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == data[start : end + 1]


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0", "bytes=500-100", "bytes=x-y"])
def test_unsatisfiable_or_malformed_ranges_get_416(client, personas, video, header):
    resource, data = video
    response = _get(client, personas.cara, resource, header)
    assert response.status_code == 416, header
    assert response["Content-Range"] == f"bytes */{len(data)}"
    assert response.json()["code"] == "range_not_satisfiable"


def test_several_ranges_or_other_units_get_the_whole_file(client, personas, video):
    resource, data = video
    for header in ("bytes=0-10, 20-30", "items=0-1"):
        response = _get(client, personas.cara, resource, header)
        assert response.status_code == 200, header
        assert _body(response) == data


def test_if_range_with_another_validator_gets_the_whole_file(client, personas, video):
    resource, data = video
    first = _get(client, personas.cara, resource, "bytes=0-9")
    matching = _get(client, personas.cara, resource, "bytes=0-9", **{"If-Range": first["ETag"]})
    assert matching.status_code == 206
    other = _get(client, personas.cara, resource, "bytes=0-9", **{"If-Range": '"other"'})
    assert other.status_code == 200 and _body(other) == data


def test_api_serves_ranges_with_a_token(client, personas, video, bearer):
    resource, data = video
    response = client.get(
        f"/api/v1/resources/{resource.public_id}/content",
        headers={**bearer(personas.dev), "Range": "bytes=-500"},
    )
    assert response.status_code == 206
    assert _body(response) == data[-500:]


def test_every_range_request_checks_access(client, personas, video):
    """A person who loses access mid-stream gets 404 on the next range, not more bytes."""
    resource, _data = video
    assert _get(client, personas.cara, resource, "bytes=0-99").status_code == 206
    resource.audience = Resource.Audience.MENTOR
    resource.save(update_fields=["audience"])
    assert _get(client, personas.cara, resource, "bytes=100-199").status_code == 404
    assert _get(client, personas.outsider, resource, "bytes=0-1").status_code == 404
    assert _get(client, personas.auditor, resource, "bytes=0-1").status_code == 404


def test_only_the_chunks_covering_a_range_are_decrypted(personas, video, monkeypatch):
    from mentorhaven.kernel import storage

    resource, data = video
    calls = []
    original = storage._decrypt_range

    def counting(*args, **kwargs):
        for piece in original(*args, **kwargs):
            calls.append(len(piece))
            yield piece

    monkeypatch.setattr(storage, "_decrypt_range", counting)
    store = storage.EncryptedFileStore()
    pieces = store.open_range(
        subject=resource.uploader_id,
        name=resource.storage_name,
        binding=resource.content_binding(),
        start=150_000,
        end=150_099,
    )
    assert b"".join(pieces) == data[150_000:150_100]
    assert len(calls) == 1  # one chunk of 64 KiB, not the three before it


def test_a_truncated_blob_fails_authentication(personas, video):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from mentorhaven.kernel import storage, vault

    resource, _data = video
    with default_storage.open(resource.storage_name, "rb") as handle:
        sealed = handle.read()
    default_storage.delete(resource.storage_name)
    cut = storage.HEADER.size + (storage.CHUNK_SIZE + storage.TAG_BYTES)  # first chunk only
    default_storage.save(resource.storage_name, ContentFile(sealed[:cut]))
    with pytest.raises(vault.VaultError):
        list(
            storage.EncryptedFileStore().open_range(
                subject=resource.uploader_id,
                name=resource.storage_name,
                binding=resource.content_binding(),
                start=0,
                end=10,
            )
        )


def test_range_rules_are_pure():
    assert resolve_range(None, 10).outcome is Outcome.FULL
    assert resolve_range("bytes=0-0", 10).length == 1
    assert resolve_range("bytes=-20", 10).start == 0  # a suffix longer than the file: all of it
    assert resolve_range("bytes=10-", 10).outcome is Outcome.UNSATISFIABLE
    assert resolve_range("bytes=", 10).outcome is Outcome.UNSATISFIABLE
    assert resolve_range("bytes=1-2,3-4", 10).outcome is Outcome.FULL


def test_streaming_a_50_mb_video_keeps_memory_bounded(client, personas, settings):
    """Upload and serve a 50 MB video: peak traced memory stays a few MB (chunks of 64 KiB),
    nowhere near the file's size."""
    size = 50 * 1024 * 1024
    stream = Mp4Stream(size)
    # The first request of the process imports the URL configuration (a dozen MB of modules):
    # made before measuring, so that only the serving is measured.
    client.force_login(personas.cara)
    client.get(f"/library/p/{personas.program.public_id}/")
    tracemalloc.start()
    try:
        resource = add(
            personas, "video", title="Long talk", fileobj=stream, declared_name="talk.mp4"
        )
        _current, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        response = client.get(f"/library/{resource.public_id}/content")
        assert response.status_code == 200
        total = 0
        for piece in response.streaming_content:
            total += len(piece)
        _current, whole_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        middle = size // 2
        ranged = client.get(
            f"/library/{resource.public_id}/content",
            headers={"Range": f"bytes={middle}-{middle + 1_000_000}"},
        )
        got = b"".join(ranged.streaming_content)
        _current, range_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == stream.size
    head = stream.size - size
    assert ranged.status_code == 206
    assert got[:3] == bytes(payload_byte(middle - head + i) for i in range(3))
    print(f"peak memory: upload {upload_peak}, whole {whole_peak}, 1 MB range {range_peak}")
    assert upload_peak < 8 * 1024 * 1024
    assert whole_peak < 4 * 1024 * 1024
    assert range_peak < 4 * 1024 * 1024


def test_documents_are_attachments(client, personas):
    resource = add(
        personas,
        "document",
        fileobj=SimpleUploadedFile("notes.txt", b"plain notes\n"),
        declared_name="notes.txt",
    )
    response = _get(client, personas.cara, resource)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert _body(response) == b"plain notes\n"


def test_under_asgi_the_video_is_streamed_chunk_by_chunk_too(personas):
    """uvicorn serves through ASGI, where Django would collect a sync iterator into one list:
    the content goes out as an async iterator instead, with the same bounded memory."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    size = 20 * 1024 * 1024
    stream = Mp4Stream(size)
    resource = add(personas, "video", title="Talk", fileobj=stream, declared_name="talk.mp4")
    client = AsyncClient()
    client.force_login(personas.cara)

    async def fetch(headers):
        response = await client.get(f"/library/{resource.public_id}/content", headers=headers)
        total, first = 0, b""
        async for piece in response.streaming_content:
            first = first or piece[:4]
            total += len(piece)
        return response, total, first

    async_to_sync(fetch)({"Range": "bytes=0-0"})  # imports made before measuring
    tracemalloc.start()
    try:
        whole, total, _first = async_to_sync(fetch)({})
        _current, peak = tracemalloc.get_traced_memory()
        ranged, length, first = async_to_sync(fetch)({"Range": "bytes=-1000"})
    finally:
        tracemalloc.stop()
    assert whole.status_code == 200 and whole.is_async and total == stream.size
    assert ranged.status_code == 206 and length == 1000
    assert first == bytes(payload_byte(size - 1000 + i) for i in range(4))
    assert peak < 4 * 1024 * 1024, peak
