"""How file content leaves the server: as a streamed attachment that no browser will render.

``Content-Disposition: attachment`` makes the browser save the file; ``nosniff`` stops it from
guessing a more dangerous type than the one we checked on upload; the sandboxing CSP means that
even a browser that opens it inline runs nothing and loads nothing. Nothing is cached.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterable, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from mentorhaven.files.models import StoredFile

SANDBOX_CSP = "default-src 'none'; sandbox"


def no_store(response: HttpResponse | StreamingHttpResponse):
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


async def _async_chunks(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The chunks for an ASGI server, one at a time, each decrypted in a worker thread: Django
    would otherwise collect a sync iterator into a list before sending it (the whole file in
    memory, however large)."""

    # A client that leaves cancels this iterator while a worker thread may still be making the
    # next chunk (a thread cannot be stopped): the source is closed once that chunk is done,
    # never from a second thread while the first one is still inside it.
    turn = threading.Lock()

    def following() -> bytes | None:
        with turn:
            return next(chunks, None)

    def closing() -> None:
        close = getattr(chunks, "close", None)
        if close is not None:
            with turn:
                close()

    step = sync_to_async(following, thread_sensitive=False)
    try:
        while (piece := await step()) is not None:
            yield piece
    finally:
        await sync_to_async(closing, thread_sensitive=False)()


def for_server(
    request: HttpRequest, chunks: Iterable[bytes]
) -> Iterable[bytes] | AsyncIterator[bytes]:
    """``chunks`` as the server that runs ``request`` streams them without holding them all:
    an async iterator under ASGI (uvicorn), the iterator itself under WSGI."""
    return _async_chunks(iter(chunks)) if isinstance(request, ASGIRequest) else chunks


def attachment_response(
    request: HttpRequest, file: StoredFile, chunks: Iterable[bytes]
) -> StreamingHttpResponse:
    content_type = file.mime_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = StreamingHttpResponse(for_server(request, chunks), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, str(file.filename))
    response["Content-Length"] = str(file.size)
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Accept-Ranges"] = "none"
    return no_store(response)
