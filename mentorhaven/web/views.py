"""Landing page, per-role dashboard and friendly error pages."""

from __future__ import annotations

import sys
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import SignedInRequest, User
from mentorhaven.programs.selectors import setup_open
from mentorhaven.web.checklist import checklist_for
from mentorhaven.web.selectors import RECENT_DAYS, dashboard_for
from mentorhaven.web.unavailable import database_unavailable, unavailable_response

# Pages of other apps the dashboard links to when they are routed.
INVITATIONS_URL_NAME = "invitations_home"
RELATIONSHIPS_URL_NAME = "relationship_list"


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "web/home.html", {"setup_open": setup_open()})


def _optional_url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@login_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    context = {
        "dash": dashboard_for(cast(User, request.user)),
        "checklist": checklist_for(cast(User, request.user)),
        "invite_url": _optional_url(INVITATIONS_URL_NAME),
        "relationships_url": _optional_url(RELATIONSHIPS_URL_NAME),
        "recent_days": RECENT_DAYS,
    }
    return render(request, "web/dashboard.html", context)


def _error(request: HttpRequest, status: int, code: str, title: str, text: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"message": text, "code": code, "extra": {}}, status=status)
    return render(request, "web/error.html", {"title": title, "text": text}, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(
        request, 400, "bad_request", _("Bad request"), _("The request could not be understood.")
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(
        request,
        403,
        "forbidden",
        _("Forbidden"),
        _("You do not have permission to see this page."),
    )


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(
        request,
        404,
        "not_found",
        _("Not found"),
        _("There is nothing here, or it is not yours to see."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request context: the failure may be the database or a context
    processor, and this page must still appear (and never show what went wrong). When the
    database cannot be reached (down, restarting, out of connections), the answer is a 503 that
    says so and asks to retry, not a 500: nothing is broken that waiting will not fix."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "message": _("Something went wrong on our side."),
                "code": "server_error",
                "extra": {},
            },
            status=500,
        )
    return HttpResponseServerError(loader.get_template("web/500.html").render({}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Our page for a refused form (Django's own has an inline style our CSP blocks)."""
    return _error(
        request,
        403,
        "form_expired",
        _("Form expired"),
        _(
            "This form was open too long or came from another site. Go back, reload the page "
            "and try again; nothing was changed."
        ),
    )
