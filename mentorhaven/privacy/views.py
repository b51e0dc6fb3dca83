"""Privacy pages: the entry point to what we keep, who accessed it, and your rights."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mentorhaven.kernel.access import Role
from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.kernel.inventory import data_map as inventory_data_map
from mentorhaven.privacy.access_log import access_events_for, describe
from mentorhaven.privacy.erasure import services as erasure_services
from mentorhaven.privacy.erasure.selectors import erasure_request_for

ACCESS_LOG_PAGE_SIZE = 50


@login_required
def privacy_home(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/home.html")


ROLE_NAMES = {
    Role.SELF: "you",
    Role.MENTOR: "your mentor",
    Role.MENTEE: "your mentee",
    Role.PEER: "people in your programs",
    Role.PROGRAM_ADMIN: "program admins",
    Role.ORG_ADMIN: "organization admins",
    Role.AUDITOR: "auditors",
    Role.SECURITY_OFFICER: "security officers",
}


@login_required
def data_map(request: HttpRequest) -> HttpResponse:
    """The page "What we keep about you and why", generated from the data inventory."""
    categories = inventory_data_map(request.user)
    for category in categories:
        for entry in category["fields"]:
            entry["seen_by"] = [ROLE_NAMES.get(r, r) for r in entry["visible_to"]]
    return render(request, "privacy/data_map.html", {"categories": categories})


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who accessed my data: every audit event about the signed-in person, newest first."""
    include_own = request.GET.get("own") != "hide"
    events = access_events_for(viewer=request.user, include_own=include_own)
    page = Paginator(events, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = describe(viewer=request.user, events=list(page.object_list))
    return render(
        request,
        "privacy/access_log.html",
        {"page": page, "entries": entries, "include_own": include_own},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def erasure(request: HttpRequest) -> HttpResponse:
    """Ask to be erased, see when it will happen, cancel it. POST ``action=request`` needs the
    ``confirm`` box ticked; ``action=cancel`` cancels a waiting request."""
    current = erasure_request_for(viewer=request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "request" and request.POST.get("confirm") == "yes":
                erasure_services.erasure_request(actor=request.user)
                messages.success(request, _("Your erasure is scheduled. You can still cancel it."))
            elif action == "cancel" and current is not None:
                erasure_services.erasure_cancel(actor=request.user, request=current)
                messages.success(request, _("Your erasure was cancelled. Nothing was deleted."))
            elif action == "request":
                messages.error(request, _("Tick the box to confirm that you want to be erased."))
            return redirect("privacy_erasure")
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("privacy_erasure")
    return render(
        request,
        "privacy/erasure.html",
        {"erasure": current, "grace_days": erasure_services.grace_period().days},
    )
