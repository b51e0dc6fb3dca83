"""The one place where a domain error raised under an HTML view becomes a response.

Views call access helpers and services and let their ``ApplicationError`` rise; this
middleware answers for them, the way ``mentorhaven.api_common`` does for the JSON API:

* ``NotFound`` → the 404 page (the same for "missing" and "not yours");
* a plain ``PermissionDenied`` → the 403 page with its message; ``Erased`` (410) and
  ``Unreadable`` (409) → the error page with their status and message;
* a sign-in provider (an organization's single sign-on) that cannot be reached → a 502 page
  saying so, with the way back to a password sign-in, instead of a server error;
* any other refusal (a validation, a conflict, a block, a more specific permission refusal
  with its own code) → its message, flashed on the page the person came from; for an htmx
  request a reload of that page, so the message is seen.

A view that shows a refusal inside its own form (``form.add_error``) still catches it there:
that is the form's job, not the edge's. The JSON API never reaches this middleware: Ninja
answers for its own errors first (``mentorhaven.api.application_error``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from mentorhaven.accounts.sso import provider_unreachable
from mentorhaven.kernel.access import record_refusal
from mentorhaven.kernel.errors import (
    ApplicationError,
    Erased,
    NotFound,
    PermissionDenied,
    Unreadable,
)


def _error_page(request: HttpRequest, exc: ApplicationError, title: str) -> HttpResponse:
    return render(
        request, "web/error.html", {"title": title, "text": exc.message}, status=exc.status
    )


def _back(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        # An htmx form posts in the background: reload the page so the message is seen.
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(referer if referer and safe else reverse("home"))


def response_for(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    """The HTML answer to a domain error (``Http404`` for NotFound, raised to Django). A refusal
    by an access helper is put on the record for monitoring."""
    if exc.code in (NotFound.code, PermissionDenied.code):
        record_refusal(request.user, status=exc.status, api=False)
    if isinstance(exc, NotFound):
        raise Http404 from exc
    if isinstance(exc, PermissionDenied) and exc.code == PermissionDenied.code:
        return _error_page(request, exc, _("Not allowed"))
    if isinstance(exc, Erased):
        return _error_page(request, exc, _("Erased"))
    if isinstance(exc, Unreadable):
        return _error_page(request, exc, _("This could not be read"))
    messages.error(request, exc.message)
    return _back(request)


def provider_unreachable_response(request: HttpRequest) -> HttpResponse:
    text = _(
        "Your organization's sign-in service could not be reached. Try again in a few "
        "minutes, or sign in with your e-mail address and password if you have one."
    )
    context = {"title": _("Sign-in service unavailable"), "text": text}
    return render(request, "web/error.html", context, status=502)


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ApplicationError):
            return response_for(request, exception)
        if provider_unreachable(exception):
            return provider_unreachable_response(request)
        return None
