"""The public share pages, ``/s/<token>``: for someone outside the platform, no sign-in.

Only a complete GET of the download address (or the password POST, which answers with the file)
counts as a download. HEAD, Range and prefetch requests get no content and count nothing, so
link previews, download managers and browsers guessing ahead cannot use up a link. Every visit
is logged for the link's owner; the pages leak no referrer and are never cached.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from mentorhaven.files.forms import SharePasswordForm
from mentorhaven.files.models import ShareLink, ShareLinkAccess
from mentorhaven.files.responses import attachment_response, no_store
from mentorhaven.files.selectors import share_link_by_token
from mentorhaven.files.services import (
    Download,
    share_link_access_record,
    share_link_download,
    share_link_password_check,
)
from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import RateLimited, ValidationFailed

Outcome = ShareLinkAccess.Outcome
PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def _public(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return no_store(response)


def _probe(request: HttpRequest) -> HttpResponse | None:
    """An empty answer for requests that must not count, or None for a real request."""
    if request.method == "HEAD":
        return HttpResponse(status=204)
    if "HTTP_RANGE" in request.META:
        response = HttpResponse(status=416)
        response["Accept-Ranges"] = "none"
        return response
    if any(
        value in request.META.get(header, "").lower()
        for header in PREFETCH_HEADERS
        for value in ("prefetch", "prerender", "preview")
    ):
        return HttpResponse(status=204)
    return None


def _unavailable(request: HttpRequest, reason: str | None = None) -> HttpResponse:
    # One page for unknown, expired, revoked and used-up links (the visitor learns nothing
    # about which); an erased file gets its own, plain explanation.
    erased = reason == Outcome.ERASED
    return _public(
        render(
            request,
            "files/share_unavailable.html",
            {"erased": erased},
            status=410 if erased else 404,
        )
    )


def _page(
    request: HttpRequest, link: ShareLink, *, form=None, error: str = "", status: int = 200
) -> HttpResponse:
    # Before the password, a protected link tells nothing about its file: not its name, its
    # size or when the link expires (the template shows those only for open links).
    file = None if link.has_password else link.file
    context = {"link": link, "file": file, "form": form or SharePasswordForm(), "error": error}
    return _public(render(request, "files/share_page.html", context, status=status))


def _serve(request: HttpRequest, link: ShareLink) -> HttpResponseBase:
    result = share_link_download(link=link)
    if not isinstance(result, Download):
        return _unavailable(request, result)
    response = attachment_response(request, result.file, result.chunks)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _refusal(link: ShareLink) -> str | None:
    reason = link.unavailable_reason()
    if reason is None and vault.is_shredded(link.file.uploader_id):
        reason = Outcome.ERASED
    if reason is not None:
        share_link_access_record(link=link, outcome=reason)
    return reason


# No CSRF token check here: the page is for people without an account, and it must send
# ``Referrer-Policy: no-referrer``, so browsers post its form with ``Origin: null``, which
# Django's CSRF check refuses. The unguessable token in the URL (and the password) is the
# credential; a forged post could only spend a download of a link the forger already holds.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def share_page(request: HttpRequest, token: str) -> HttpResponseBase:
    """The landing page: the file's name and size, and a download button or a password form.
    Posting the right password answers with the file itself."""
    link = share_link_by_token(token)
    if link is None:
        return _unavailable(request)
    # Refusals come before probes: HEAD on a revoked, expired or used-up link gets exactly
    # what an unknown link gets, so probing cannot tell a dead link from a wrong token.
    if reason := _refusal(link):
        return _unavailable(request, reason)
    probe = _probe(request)
    if probe is not None:
        share_link_access_record(link=link, outcome=Outcome.NOT_COUNTED)
        return _public(probe)
    if request.method == "GET":
        share_link_access_record(link=link, outcome=Outcome.OPENED)
        return _page(request, link)
    if not link.has_password:
        return _public(redirect("share_page", token=token))
    form = SharePasswordForm(request.POST)
    try:
        share_link_password_check(link=link, password=request.POST.get("password", ""))
    except RateLimited as exc:
        return _page(request, link, form=form, error=exc.message, status=429)
    except ValidationFailed as exc:
        return _page(request, link, form=form, error=exc.message, status=403)
    return _serve(request, link)


@require_http_methods(["GET", "HEAD"])
def share_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The download address of a link without a password."""
    link = share_link_by_token(token)
    if link is None:
        return _unavailable(request)
    if reason := _refusal(link):
        return _unavailable(request, reason)
    probe = _probe(request)
    if probe is not None:
        share_link_access_record(link=link, outcome=Outcome.NOT_COUNTED)
        return _public(probe)
    if link.has_password:
        share_link_access_record(link=link, outcome=Outcome.PASSWORD_NEEDED)
        return _public(redirect("share_page", token=token))
    return _serve(request, link)
