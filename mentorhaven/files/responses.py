"""How file content leaves the server: as a streamed attachment that no browser will render.

``Content-Disposition: attachment`` makes the browser save the file; ``nosniff`` stops it from
guessing a more dangerous type than the one we checked on upload; the sandboxing CSP means that
even a browser that opens it inline runs nothing and loads nothing. Nothing is cached.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from mentorhaven.files.models import StoredFile

SANDBOX_CSP = "default-src 'none'; sandbox"


def no_store(response: HttpResponse | StreamingHttpResponse):
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_response(file: StoredFile, chunks: Iterable[bytes]) -> StreamingHttpResponse:
    content_type = file.mime_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, str(file.filename))
    response["Content-Length"] = str(file.size)
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Accept-Ranges"] = "none"
    return no_store(response)
