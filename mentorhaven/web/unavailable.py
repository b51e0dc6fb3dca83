"""When the database cannot be reached, people are told to retry, not that something broke.

A database that is restarting, failing over or out of connections surfaces as Django's
``OperationalError``/``InterfaceError`` (psycopg's connection errors, SQLite's "database is
locked"), or as the connection pool's timeout. Both error edges (``web.views.server_error`` for
pages, ``mentorhaven.api.unexpected_error`` for the API) answer these with 503 and
``Retry-After``; the next request after the database is back simply works (Django opens a new
connection, the pool replaces broken ones).
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from psycopg_pool import PoolTimeout

RETRY_AFTER_SECONDS = 30


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) means the database could not be reached or used."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: JSON for the API, our static page otherwise."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "message": _("MentorHaven is briefly unavailable. Please try again shortly."),
                "code": "unavailable",
                "extra": {},
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("web/503.html").render({}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
