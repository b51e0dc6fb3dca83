"""Requests that follow each other on one keep-alive connection share nothing of Django's state.

uvicorn starts a request that arrived while the previous one on the same connection was still
finishing from inside that previous request, so the new one inherited its context variables,
among them the slot where Django keeps the request's database connection. Two requests then
wrote the same slot and one connection was never given back: a streamed download (whose body
goes out before the request has finished) followed by the next request on the same connection
leaked one pooled connection in about twenty, until the pool was empty and every page answered
503 after waiting ten seconds (found by the page benchmark). ``mentorhaven.asgi`` now runs each
HTTP request in a context of its own.

Served as deployed: uvicorn in a thread of its own with its own event loop, the real ASGI
application, PostgreSQL's connection pool. HTTP/1.1 pipelining (the next request sent before the
previous answer has been read) makes uvicorn queue the next request behind the running one every
time, so the test does not depend on a race.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from .conftest import upload

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="the connection pool is PostgreSQL's: set DATABASE_URL=postgres://…",
    ),
]
ROUNDS = 12


class Server:
    """uvicorn with ``mentorhaven.asgi.application`` in a thread, as ``uvicorn`` runs it."""

    def __init__(self) -> None:
        import uvicorn

        from mentorhaven.asgi import application

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(
            application, lifespan="off", log_level="warning", access_log=False, loop="asyncio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def _read_response(stream) -> tuple[int, bytes]:
    status_line = stream.readline()
    status = int(status_line.split()[1])
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, stream.read(length)


def _in_use() -> int:
    stats = connection.pool.get_stats()
    return stats["pool_size"] - stats["pool_available"]


@pytest.mark.django_db(transaction=True)
def test_pipelined_downloads_give_every_database_connection_back(personas, relationship):
    file = upload(personas.cara, relationship, b"Agenda for Thursday's session.\n", "agenda.txt")
    client = Client()
    client.force_login(personas.ana)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    request = (
        f"GET /files/{file.public_id}/content/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: {cookie}\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    before = _in_use()  # this test's own connection
    with Server() as server, socket.create_connection(("127.0.0.1", server.port)) as conn:
        stream = conn.makefile("rb")
        for _ in range(ROUNDS):
            conn.sendall(request + request)  # the second waits behind the first
            answers = [_read_response(stream), _read_response(stream)]
            assert answers == [(200, b"Agenda for Thursday's session.\n")] * 2
        # Each request gives its connection back just after its last byte has gone out.
        deadline = time.monotonic() + 5
        while _in_use() > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _in_use() == before, "connections left checked out of the pool"
