"""Privacy pages: the entry point to what we keep, who accessed it, and your rights."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mentorhaven.kernel.access import Role
from mentorhaven.kernel.inventory import data_map as inventory_data_map
from mentorhaven.privacy.access_log import access_groups_for, describe

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
    """Who accessed my data: the audit events about the signed-in person, grouped by reader,
    action, purpose and day, newest first, 50 lines a page."""
    include_own = request.GET.get("own") != "hide"
    groups = access_groups_for(viewer=request.user, include_own=include_own)
    page = Paginator(groups, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = describe(viewer=request.user, groups=list(page.object_list))
    return render(
        request,
        "privacy/access_log.html",
        {"page": page, "entries": entries, "include_own": include_own},
    )
