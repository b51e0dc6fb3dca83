"""The ASGI handler runs each request's middleware and view on one thread from a fixed set.

mentorhaven/web/asgi_handler.py loads Django's middleware chain in sync mode and lends each
request one of ``MENTORHAVEN_WEB_THREADS`` single-thread executors. These tests drive the real
handler over ASGI, with the real middleware chain plus a probe: a request's chain and view run
on the same thread (what Django's thread-sensitive code needs), no more requests run at once
than there are threads and no new thread is started per request, and a request that hangs
holds one thread while the others are answered.
"""

from __future__ import annotations

import asyncio

import pytest
from django.conf import settings
from django.test import override_settings

from mentorhaven.web.asgi_handler import SyncStackASGIHandler
from tests.web import urls_threads

PROBE = "tests.web.urls_threads.ThreadProbeMiddleware"


def scope(path: str) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def get(app, path: str) -> tuple[int, bytes]:
    """One GET through the ASGI interface: status and body."""
    sent: list[dict] = []
    body_read = False

    async def receive():
        nonlocal body_read
        if not body_read:
            body_read = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays until the response is complete

    async def send(message):
        sent.append(message)

    await app(scope(path), receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


@pytest.fixture
def probed():
    middleware = [*settings.MIDDLEWARE, PROBE]
    with override_settings(ROOT_URLCONF="tests.web.urls_threads", MIDDLEWARE=middleware):
        yield


def test_each_request_runs_chain_and_view_on_one_thread_of_a_fixed_set(probed):
    app = SyncStackASGIHandler(threads=3)
    urls_threads.most_running = 0

    async def many():
        return await asyncio.gather(*(get(app, "/where/") for _ in range(24)))

    answers = asyncio.run(many())
    assert {status for status, _ in answers} == {200}
    pairs = [tuple(int(t) for t in body.split()) for _, body in answers]
    assert all(chain == view for chain, view in pairs)
    assert len({view for _, view in pairs}) <= 3
    assert urls_threads.most_running <= 3
    # The requests did overlap: three ran at once, so the bound above was reached, not idle.
    assert urls_threads.most_running == 3


def test_a_request_that_hangs_holds_one_thread_and_the_others_are_answered(probed):
    app = SyncStackASGIHandler(threads=2)
    urls_threads.held.clear()
    urls_threads.release.clear()

    async def scenario():
        hung = asyncio.create_task(get(app, "/stuck/"))
        while not urls_threads.held.is_set():
            await asyncio.sleep(0.01)
        others = await asyncio.wait_for(
            asyncio.gather(*(get(app, "/where/") for _ in range(5))), timeout=10
        )
        still_hung = not hung.done()
        urls_threads.release.set()
        return others, still_hung, await hung

    others, still_hung, hung = asyncio.run(scenario())
    assert still_hung
    assert {status for status, _ in others} == {200}
    assert hung == (200, b"let go")


def test_the_middleware_chain_is_synchronous():
    # An async chain would send each request through async_to_sync under the last synchronous
    # middleware (and through one thread hop per MiddlewareMixin hook).
    app = SyncStackASGIHandler(threads=1)
    assert not asyncio.iscoroutinefunction(app._middleware_chain)


def test_a_process_needs_a_thread():
    with pytest.raises(ValueError):
        SyncStackASGIHandler(threads=0)
