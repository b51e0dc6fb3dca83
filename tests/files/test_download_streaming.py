"""Downloads under ASGI (uvicorn, as deployed) go out one decrypted chunk at a time.

Django collects a plain iterator into one list before sending it under ASGI, which would hold a
whole file in memory per download; ``files.responses.for_server`` hands the server an async
iterator instead. Measured with tracemalloc on a file close to the upload limit.
"""

from __future__ import annotations

import tracemalloc

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from mentorhaven.accounts.tokens import api_token_create

from .conftest import upload

SIZE = 20 * 1024 * 1024
LINE = b"Notes for our next session: practise the quarterly review pitch.\n"


@pytest.fixture
def big_file(personas, relationship):
    data = (LINE * (SIZE // len(LINE) + 1))[:SIZE]
    return upload(personas.cara, relationship, data, "session-notes.txt")


def _download(client: AsyncClient, path: str, headers: dict | None = None):
    async def fetch():
        response = await client.get(path, headers=headers or {})
        total = 0
        async for piece in response.streaming_content:
            total += len(piece)
        return response, total

    return async_to_sync(fetch)()


def _peak(client: AsyncClient, path: str, headers: dict | None = None):
    _download(client, path, headers)  # imports and caches before measuring
    tracemalloc.start()
    try:
        response, total = _download(client, path, headers)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, total, peak


@pytest.mark.django_db(transaction=True)
def test_a_page_download_is_streamed_with_bounded_memory(personas, big_file):
    client = AsyncClient()
    client.force_login(personas.ana)
    response, total, peak = _peak(client, f"/files/{big_file.public_id}/content/")
    assert response.status_code == 200 and response.is_async
    assert total == SIZE
    assert peak < 4 * 1024 * 1024, peak


@pytest.mark.django_db(transaction=True)
def test_an_api_download_is_streamed_with_bounded_memory(personas, big_file):
    _token, secret = api_token_create(
        actor=personas.ana, user=personas.ana, name="laptop", scope="read"
    )
    client = AsyncClient()
    headers = {"Authorization": f"Bearer {secret}"}
    response, total, peak = _peak(client, f"/api/v1/files/{big_file.public_id}/content", headers)
    assert response.status_code == 200 and response.is_async
    assert total == SIZE
    assert peak < 4 * 1024 * 1024, peak
