"""How a resource's content leaves the server: streamed from the encrypted store, whole or one
byte range at a time (``domain.resolve_range``), with headers that keep a browser from treating
it as anything but the checked type.

A range is decrypted from the chunks that cover it only (``EncryptedFileStore.open_range``):
memory stays at about one 64 KiB chunk per response however large the video.
``tests/library/test_content.py`` measures it on a 50 MB video with tracemalloc.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from mentorhaven.files.content import file_store
from mentorhaven.files.responses import SANDBOX_CSP, for_server, no_store
from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import Conflict, Erased, Unreadable
from mentorhaven.kernel.fields import is_erased, is_unavailable
from mentorhaven.kernel.integrity import report_integrity_failure
from mentorhaven.library import services
from mentorhaven.library.domain import Outcome, resolve_range
from mentorhaven.library.models import Resource


def _etag(resource: Resource) -> str:
    # The stored blob never changes under a resource (a new file is a new resource), so its
    # random name identifies the content; only a digest of it is shown.
    digest = hashlib.sha256(str(resource.storage_name).encode()).hexdigest()[:32]
    return f'"{digest}"'


def _range_header(request: HttpRequest, etag: str) -> str | None:
    """The Range header to honour: ignored when an ``If-Range`` names other content."""
    header = request.META.get("HTTP_RANGE")
    if_range = request.META.get("HTTP_IF_RANGE")
    if header is not None and if_range is not None and if_range.strip() != etag:
        return None
    return header


def _open(resource: Resource, *, start: int | None = None, end: int = 0) -> Iterator[bytes]:
    assert resource.uploader_id is not None and resource.storage_name
    store = file_store()
    try:
        if start is None:
            return store.open(
                subject=resource.uploader_id,
                name=resource.storage_name,
                binding=resource.content_binding(),
            )
        return store.open_range(
            subject=resource.uploader_id,
            name=resource.storage_name,
            binding=resource.content_binding(),
            start=start,
            end=end,
        )
    except vault.VaultError:
        report_integrity_failure(
            model=Resource._meta.label_lower,
            column="content",
            row=str(resource.public_id),
            subject_id=resource.uploader_id,
        )
        raise Unreadable() from None


def _unsatisfiable(resource: Resource) -> HttpResponse:
    body = {
        "message": _("The requested range is not within the file."),
        "code": "range_not_satisfiable",
        "extra": {"size": resource.size},
    }
    response = HttpResponse(json.dumps(body), status=416, content_type="application/json")
    response["Content-Range"] = f"bytes */{resource.size}"
    response["Accept-Ranges"] = "bytes"
    return no_store(response)


def _file_response(request: HttpRequest, resource: Resource) -> HttpResponse:
    etag = _etag(resource)
    decision = resolve_range(_range_header(request, etag), resource.size)
    if decision.outcome is Outcome.UNSATISFIABLE:
        return _unsatisfiable(resource)
    head = request.method == "HEAD"
    if decision.outcome is Outcome.PARTIAL:
        chunks = iter(()) if head else _open(resource, start=decision.start, end=decision.end)
        response = StreamingHttpResponse(
            for_server(request, chunks), status=206, content_type=resource.mime_type
        )
        response["Content-Range"] = f"bytes {decision.start}-{decision.end}/{resource.size}"
        response["Content-Length"] = str(decision.length)
        counts = decision.start == 0
    else:
        chunks = iter(()) if head else _open(resource)
        response = StreamingHttpResponse(
            for_server(request, chunks), content_type=resource.mime_type
        )
        response["Content-Length"] = str(resource.size)
        counts = True
    if counts and not head:
        # One opening per request that starts at the first byte; the seeks that follow do not
        # count. An aggregate counter only (services.resource_viewed).
        services.resource_viewed(resource=resource)
    name = "" if is_unavailable(resource.filename) else str(resource.filename)
    inline = resource.kind == Resource.Kind.VIDEO
    disposition = content_disposition_header(not inline, name or "resource")
    response["Content-Disposition"] = disposition or ("inline" if inline else "attachment")
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    return no_store(response)


def content_response(request: HttpRequest, resource: Resource) -> HttpResponse:
    """The resource's content: a document or video streamed (ranges honoured); an article's
    text as plain text; a link has no content of its own (409, ``no_content``)."""
    if resource.has_file:
        return _file_response(request, resource)
    if resource.kind == Resource.Kind.LINK:
        raise Conflict(_("A link has no content here: follow its address."), code="no_content")
    if is_erased(resource.body):
        raise Erased()
    if is_unavailable(resource.body):
        raise Unreadable()
    if request.method != "HEAD":
        services.resource_viewed(resource=resource)
    response = HttpResponse(str(resource.body or ""), content_type="text/plain; charset=utf-8")
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Accept-Ranges"] = "none"
    return no_store(response)
