"""A download the client abandons mid-stream closes its chunk source cleanly.

When a client goes away, the server cancels the task sending the response while a worker
thread may still be producing the next chunk. The source (which holds the open file and its
decryption state) must be closed once that chunk is done, never from a second thread while it
is still running: that raised "generator already executing" and logged an ASGI error for every
abandoned download.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from mentorhaven.files.responses import _async_chunks


def test_a_stream_cancelled_while_a_chunk_is_being_made_closes_its_source_after_it():
    producing = threading.Event()
    release = threading.Event()
    closed = threading.Event()

    def source():
        try:
            yield b"first"
            producing.set()
            release.wait(5)  # the second chunk is slow: the client leaves meanwhile
            yield b"second"
        finally:
            closed.set()

    async def client_leaves_mid_chunk() -> list[bytes]:
        received: list[bytes] = []

        async def read() -> None:
            async for piece in _async_chunks(source()):
                received.append(piece)

        task = asyncio.create_task(read())
        while not producing.is_set():
            await asyncio.sleep(0.005)
        task.cancel()  # what the server does when the client disconnects
        await asyncio.sleep(0.05)
        release.set()  # the chunk in flight finishes in its thread
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return received

    received = asyncio.run(client_leaves_mid_chunk())

    assert received == [b"first"]
    assert closed.wait(5), "the chunk source was never closed"


def test_a_stream_read_to_the_end_closes_its_source():
    closed = threading.Event()

    def source():
        try:
            yield from (b"a", b"b")
        finally:
            closed.set()

    async def read_all() -> list[bytes]:
        return [piece async for piece in _async_chunks(source())]

    assert asyncio.run(read_all()) == [b"a", b"b"]
    assert closed.is_set()
