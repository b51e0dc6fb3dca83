"""Pieces every API router shares: the error schema and limit/offset pagination.

Kept apart from ``mentorhaven/api.py`` so that app routers can import them without importing
the API root (which imports the routers).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
# Beyond this an offset is a mistake or a probe; a bound also keeps it inside a 64-bit integer.
MAX_OFFSET = 1_000_000


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict[str, Any]


class PageParams(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def page(queryset: QuerySet, params: PageParams) -> dict[str, Any]:
    """``{"items": [...], "count": n}`` for one slice of ``queryset`` (two queries)."""
    return {
        "items": list(queryset[params.offset : params.offset + params.limit]),
        "count": queryset.count(),
    }


# Responses every authenticated endpoint may give, for the OpenAPI document.
AUTH_ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
