"""Privacy pages: the entry point to what we keep, who accessed it, and your rights."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.assistant.selectors import ai_uses_about
from mentorhaven.kernel.access import Role
from mentorhaven.kernel.inventory import data_map as inventory_data_map
from mentorhaven.privacy import services
from mentorhaven.privacy.access import access_export
from mentorhaven.privacy.access_log import access_groups_for, describe
from mentorhaven.privacy.erasure import services as erasure_services
from mentorhaven.privacy.erasure.selectors import erasure_request_for
from mentorhaven.privacy.selectors import export_lifetime_for, exports_for

ACCESS_LOG_PAGE_SIZE = 50


@login_required
def privacy_home(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "privacy/home.html",
        {
            "exports": exports_for(viewer=request.user),
            "export_days": export_lifetime_for(viewer=request.user).days,
            "ai_uses": ai_uses_about(viewer=request.user),
        },
    )


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
def data_map(request: SignedInRequest) -> HttpResponse:
    """The page "What we keep about you and why", generated from the data inventory."""
    categories = inventory_data_map(request.user)
    for category in categories:
        for entry in category["fields"]:
            entry["seen_by"] = [ROLE_NAMES.get(r, r) for r in entry["visible_to"]]
    return render(request, "privacy/data_map.html", {"categories": categories})


@login_required
def access_log(request: SignedInRequest) -> HttpResponse:
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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def erasure(request: SignedInRequest) -> HttpResponse:
    """Ask to be erased, see when it will happen, cancel it. POST ``action=request`` needs the
    ``confirm`` box ticked; ``action=cancel`` cancels a waiting request."""
    current = erasure_request_for(viewer=request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "request" and request.POST.get("confirm") == "yes":
            erasure_services.erasure_request(actor=request.user)
            messages.success(request, _("Your erasure is scheduled. You can still cancel it."))
        elif action == "cancel" and current is not None:
            erasure_services.erasure_cancel(actor=request.user, request=current)
            messages.success(request, _("Your erasure was cancelled. Nothing was deleted."))
        elif action == "request":
            messages.error(request, _("Tick the box to confirm that you want to be erased."))
        return redirect("privacy_erasure")
    return render(
        request,
        "privacy/erasure.html",
        {"erasure": current, "grace_days": erasure_services.grace_period().days},
    )


@login_required
@require_POST
def export_request(request: SignedInRequest) -> HttpResponse:
    """Ask for a data export; the privacy page then shows its progress."""
    services.export_request(actor=request.user)
    messages.success(request, _("Your export is being prepared. This page shows its progress."))
    return redirect("privacy_home")


@login_required
@require_GET
def export_status(request: SignedInRequest, export_id) -> HttpResponse:
    """One export's progress, as the fragment the privacy page refreshes while it is built."""
    job = access_export(request.user, export_id)
    return render(request, "privacy/_export.html", {"job": job})


@login_required
@require_POST
def export_link(request: SignedInRequest, export_id) -> HttpResponse:
    """Make a one-time download link for a ready export and follow it at once."""
    job = access_export(request.user, export_id, write=True)
    link = services.export_link_create(actor=request.user, job=job)
    return redirect("privacy_export_download", token=link.token)


@require_GET
def export_download(request: HttpRequest, token: str) -> StreamingHttpResponse:
    """The archive, streamed and decrypted chunk by chunk; the link works once."""
    actor = request.user if request.user.is_authenticated else None
    download = services.export_download(token=token, actor=actor)
    response = StreamingHttpResponse(download.chunks, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, download.filename)
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
