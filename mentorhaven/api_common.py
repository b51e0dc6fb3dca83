"""Pieces every API router shares: the error schema, limit/offset pagination and the one
parser for JSON request bodies.

Kept apart from ``mentorhaven/api.py`` so that app routers can import them without importing
the API root (which imports the routers).
"""

from __future__ import annotations

from typing import Any

import pydantic
from django.db.models import QuerySet
from ninja import Field, Schema

from mentorhaven.kernel.errors import ValidationFailed

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


def parse_body[S: Schema](request: Any, schema: type[S]) -> S:
    """The JSON body as ``schema``, or ``ValidationFailed`` listing what is wrong (never the
    values sent).

    Endpoints call it after their access check, not as a Ninja body parameter: a viewer who may
    not see the object gets 404 whatever they send, never a validation error that would
    confirm the path exists."""
    try:
        return schema.model_validate_json(request.body or b"{}")
    except pydantic.ValidationError as exc:
        raise _invalid(exc) from exc


def parse_form[S: Schema](request: Any, schema: type[S]) -> S:
    """The fields of a multipart body as ``schema`` (files aside), like ``parse_body``."""
    try:
        return schema.model_validate(request.POST.dict())
    except pydantic.ValidationError as exc:
        raise _invalid(exc) from exc


def _invalid(exc: pydantic.ValidationError) -> ValidationFailed:
    errors = [
        {"loc": ["body", *(str(p) for p in e.get("loc", ()))], "msg": str(e.get("msg", ""))}
        for e in exc.errors(include_input=False)
    ]
    return ValidationFailed(extra={"errors": errors})


def body_doc(schema: type[Schema]) -> dict[str, Any]:
    """``openapi_extra`` describing a body read by ``parse_body``."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }
