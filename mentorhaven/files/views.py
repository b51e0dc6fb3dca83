"""Signed-in pages: a relationship's files, one file with its share links and their log."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorhaven.accounts.models import SignedInRequest, User
from mentorhaven.files.access import access_file, access_share_link
from mentorhaven.files.forms import ShareLinkForm, UploadForm
from mentorhaven.files.models import StoredFile
from mentorhaven.files.responses import attachment_response
from mentorhaven.files.selectors import (
    file_content_for,
    files_for,
    record_name_reads,
    share_links_for,
)
from mentorhaven.files.services import (
    file_delete,
    file_upload,
    password_required,
    share_link_create,
    share_link_revoke,
)
from mentorhaven.kernel.errors import (
    Erased,
    RateLimited,
    ValidationFailed,
)
from mentorhaven.kernel.fields import is_erased
from mentorhaven.mentoring.access import access_relationship_content


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _file_erased() -> Erased:
    """The refusal the edge (web/edge.py) answers when a file's uploader was erased."""
    return Erased(
        _(
            "This file has been erased: the person who uploaded it had their data erased, so "
            "nobody can open it any more."
        )
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def relationship_files(request: SignedInRequest, relationship_id) -> HttpResponse:
    writing = request.method == "POST"
    relationship = access_relationship_content(_me(request), relationship_id, write=writing)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if writing and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            file_upload(
                actor=_me(request),
                fileobj=upload,
                declared_name=upload.name,
                relationship=relationship,
            )
        except (ValidationFailed, RateLimited) as exc:
            form.add_error("file", exc.message)
            status = exc.status  # 422, 413 past a storage allowance, 429 for too many at once
        else:
            messages.success(request, _("File uploaded."))
            return redirect("relationship_files", relationship_id=relationship.public_id)
    if form.errors and status == 200:
        status = 422
    files = files_for(viewer=_me(request), relationship=relationship)
    return render(
        request,
        "files/relationship_files.html",
        {"relationship": relationship, "files": files, "form": form},
        status=status,
    )


def _detail(
    request: HttpRequest, file: StoredFile, *, form=None, new_url: str = "", status: int = 200
) -> HttpResponse:
    mine = file.uploader_id == _me(request).pk
    erased = is_erased(file.filename)
    context = {
        "file": file,
        "mine": mine,
        "erased": erased,
        "new_url": new_url,
        "links": share_links_for(viewer=_me(request), file=file) if mine else [],
        "form": form or ShareLinkForm(),
        "password_required": password_required(file),
    }
    return render(request, "files/file_detail.html", context, status=410 if erased else status)


@login_required
@require_http_methods(["GET", "HEAD"])
def file_detail(request: SignedInRequest, file_id) -> HttpResponse:
    file = access_file(_me(request), file_id)
    record_name_reads(viewer=_me(request), files=[file])
    return _detail(request, file)


@login_required
@require_GET
def file_content(request: SignedInRequest, file_id) -> HttpResponseBase:
    file = access_file(_me(request), file_id)
    try:
        chunks = file_content_for(viewer=_me(request), file=file)
    except Erased:
        raise _file_erased() from None
    return attachment_response(request, file, chunks)


@login_required
@require_POST
def file_delete_view(request: SignedInRequest, file_id) -> HttpResponse:
    file = access_file(_me(request), file_id, write=True)
    relationship = file.relationship
    file_delete(actor=_me(request), file=file)
    messages.success(request, _("File deleted."))
    if relationship is not None:
        return redirect("relationship_files", relationship_id=relationship.public_id)
    return redirect("dashboard")


@login_required
@require_POST
def share_link_create_view(request: SignedInRequest, file_id) -> HttpResponse:
    file = access_file(_me(request), file_id, write=True)
    form = ShareLinkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _link, token = share_link_create(
                actor=_me(request),
                file=file,
                password=data["password"] or None,
                expires_in_days=data["expires_in_days"],
                max_downloads=data["max_downloads"],
            )
        except Erased:
            raise _file_erased() from None
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            # Shown once, on this page only: never put in a flash message (they live in the
            # session store) nor in a redirect address.
            url = request.build_absolute_uri(f"/s/{token}")
            return _detail(request, file, new_url=url, status=201)
    return _detail(request, file, form=form, status=422)


@login_required
@require_POST
def share_link_revoke_view(request: SignedInRequest, link_id) -> HttpResponse:
    link = access_share_link(_me(request), link_id, write=True)
    share_link_revoke(actor=_me(request), link=link)
    messages.success(request, _("Link revoked: it no longer works."))
    return redirect("file_detail", file_id=link.file.public_id)
