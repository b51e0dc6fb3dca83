"""The JSON API root: ``/api/v1/``. Each app contributes a router from its ``api.py``."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from mentorhaven.kernel.errors import ApplicationError

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="MentorHaven API",
    version="1",
    description="Every endpoint applies the same access rules as the web pages.",
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, message: str, code: str, extra: dict | None = None):
    return api.create_response(
        request, {"message": message, "code": code, "extra": extra or {}}, status=status
    )


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return _error(request, exc.status, exc.message, exc.code, exc.extra)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return _error(request, 422, "Some of the data was not valid.", "validation_failed",
                  {"errors": errors})


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, 401, "Sign in or send a valid API token.", "not_authenticated")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "Not found.", "not_found")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return _error(request, exc.status_code, str(exc), "error")


@api.exception_handler(Exception)
def unexpected_error(request, exc):
    logger.exception("Unhandled API error on %s", request.path)
    return _error(request, 500, "Something went wrong on our side.", "server_error")
