"""Landing page, per-role dashboard, health check and friendly error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from mentorhaven.web.selectors import dashboard_for


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "web/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {"dash": dashboard_for(request.user)})


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the operator at 3 a.m.: is the database reachable?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"message": text, "code": title.lower().replace(" ", "_"), "extra": {}},
                            status=status)
    return render(request, "web/error.html", {"title": title, "text": text}, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 400, "Bad request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 403, "Forbidden", "You do not have permission to see this page.")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 404, "Not found", "There is nothing here, or it is not yours to see.")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "Server error",
                  "Something went wrong on our side. Nothing you entered was lost; please retry.")
