"""The JSON API root: ``/api/v1/``. Each app contributes a router from its ``api.py``.

Authentication, for every endpoint unless it says otherwise:

* ``Authorization: Bearer mhp_…`` — a personal access token (``accounts/tokens.py``). Read-scope
  tokens may only use safe methods. A request carrying a bearer header is judged by it alone.
* the browser session, with Django's CSRF check on unsafe methods (``X-CSRFToken`` header).

Every error, including ones Ninja or Django raise before our code runs, has the shape
``{"message", "code", "extra"}``; nothing ever answers with a stack trace.
"""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from mentorhaven.accounts.tokens import SessionAuth, TokenAuth
from mentorhaven.kernel.access import record_refusal
from mentorhaven.kernel.errors import ApplicationError, NotFound, PermissionDenied
from mentorhaven.web.unavailable import database_unavailable, unavailable_response

logger = logging.getLogger(__name__)


class MentorHavenAPI(NinjaAPI):
    """Ninja, with its plain-text "405 Method not allowed" answered in our error shape too."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _shape_method_not_allowed(pattern.callback)
        return patterns, app_name, namespace


def _shape_method_not_allowed(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            shaped = _error(request, 405, _("This method is not allowed here."), "not_allowed")
            shaped["Allow"] = response.get("Allow", "")
            return shaped
        return response

    return wrapped


api = MentorHavenAPI(
    title="MentorHaven API",
    version="1",
    description=(
        "Every endpoint applies the same access rules as the web pages. Authenticate with a "
        "personal access token (Authorization: Bearer mhp_…) or a browser session plus CSRF."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
)


def _error(request: HttpRequest, status: int, message: str, code: str, extra: dict | None = None):
    response = api.create_response(
        request, {"message": message, "code": code, "extra": extra or {}}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="mentorhaven"'
    return response


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    if exc.code in (NotFound.code, PermissionDenied.code):  # on the record for monitoring
        record_refusal(getattr(request, "user", None), status=exc.status, api=True)
    return _error(request, exc.status, exc.message, exc.code, exc.extra)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    # Only where and what, never the submitted value: it may be personal data or a secret.
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return _error(
        request, 422, _("Some of the data was not valid."), "validation_failed", {"errors": errors}
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, 401, _("Sign in or send a valid API token."), "not_authenticated")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, _("Not found."), "not_found")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code = "bad_request" if exc.status_code == 400 else "error"
    return _error(request, exc.status_code, str(exc), code)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    return _error(request, 413, _("The request body is too large."), "too_large")


@api.exception_handler(MultiPartParserError)
def malformed_multipart(request, exc):
    # A multipart body without a boundary, or cut off: the sender's mistake, as on the pages.
    return _error(request, 400, _("The multipart request body could not be read."), "bad_multipart")


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    return _error(request, 400, _("The request could not be understood."), "bad_request")


@api.exception_handler(Exception)
def unexpected_error(request, exc):
    if database_unavailable(exc):
        logger.warning("Database unavailable on %s: %s", request.path, type(exc).__name__)
        return unavailable_response(request)
    logger.exception("Unhandled API error on %s", request.path)
    return _error(request, 500, _("Something went wrong on our side."), "server_error")


def _add_routers() -> None:
    from mentorhaven.accounts.api import router as accounts_router
    from mentorhaven.community.api import router as community_router
    from mentorhaven.community.survey_api import router as survey_router
    from mentorhaven.consent.api import router as consent_router
    from mentorhaven.files.api import router as files_router
    from mentorhaven.library.api import router as library_router
    from mentorhaven.matching.api import router as matching_router
    from mentorhaven.mentoring.api import router as mentoring_router
    from mentorhaven.messaging.api import router as messaging_router
    from mentorhaven.privacy.api import router as privacy_router
    from mentorhaven.privacy.erasure.api import router as erasure_router
    from mentorhaven.programs.api import router as programs_router

    api.add_router("", accounts_router)
    api.add_router("/programs", programs_router)
    api.add_router("/programs", matching_router)  # …/{id}/suggestions, …/match-runs
    api.add_router("/relationships", mentoring_router)
    api.add_router("/relationships", messaging_router)  # …/{id}/messages
    api.add_router("", privacy_router)
    api.add_router("", erasure_router)
    api.add_router("", consent_router)
    api.add_router("", files_router)
    api.add_router("", community_router)  # /programs/{slug}/events, /events/...
    api.add_router("", survey_router)  # /programs/{slug}/surveys, /surveys/...
    api.add_router("", library_router)  # /programs/{slug}/resources, /resources/...


_add_routers()
