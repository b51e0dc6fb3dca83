"""Invitation pages: the e-mailed link, accepting, and the admins' invite/bulk/revoke pages."""

from __future__ import annotations

from typing import cast

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest, User
from mentorhaven.kernel.errors import ApplicationError, NotFound
from mentorhaven.programs.forms import BulkInvitationForm, InvitationForm
from mentorhaven.programs.models import Membership
from mentorhaven.programs.selectors import (
    INVITATION_SESSION_KEY,
    access_invitation,
    access_invite_scope,
    invitation_by_token,
    invitation_from_session,
    invitations_pending_for,
    invite_scopes_for,
)
from mentorhaven.programs.services import (
    ImportRejected,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    invitations_import,
)


def _me(request: HttpRequest) -> User:
    """The signed-in person (every caller is behind login_required)."""
    return cast(User, request.user)


def _invalid(request: HttpRequest) -> HttpResponse:
    # One page for unknown, expired, used and revoked links: the visitor learns nothing more.
    return render(request, "accounts/invitation_invalid.html", status=404)


@never_cache
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link. Remembers the invitation in the session, then moves the visitor on
    (to sign-up, sign-in or acceptance) so that the token leaves the address bar at once."""
    invitation = invitation_by_token(token)
    if invitation is None:
        return _invalid(request)
    request.session[INVITATION_SESSION_KEY] = str(invitation.public_id)
    accept_url = reverse("invitation_accept")
    if request.user.is_authenticated:
        return redirect(accept_url)
    if User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, _("Sign in to accept your invitation."))
        return redirect(f"{reverse('account_login')}?{urlencode({'next': accept_url})}")
    # The invitation proved the address: allauth pre-fills it and marks it verified.
    get_account_adapter(request).stash_verified_email(request, invitation.email)
    return redirect("account_signup")


@never_cache
@login_required
def invitation_accept_view(request: SignedInRequest) -> HttpResponse:
    invitation = invitation_from_session(request)
    if invitation is None:
        return _invalid(request)
    if invitation.email.lower() != _me(request).email.lower():
        return render(request, "accounts/invitation_other_account.html", status=403)
    if request.method == "POST":
        try:
            invitation_accept(actor=_me(request), invitation=invitation)
        except NotFound:
            return _invalid(request)
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(request, _("Invitation accepted. Welcome!"))
        return redirect("dashboard")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})


# --- admins --------------------------------------------------------------------------------------


@login_required
def invitations_home(request: SignedInRequest) -> HttpResponse:
    scopes = invite_scopes_for(_me(request))
    if not scopes:
        raise Http404
    if len(scopes) == 1:
        return redirect("invitations", org_id=scopes[0].organization.public_id)
    return render(request, "programs/invitations_choose.html", {"scopes": scopes})


INVITATIONS_PER_PAGE = 50


@login_required
def invitations(request: SignedInRequest, org_id) -> HttpResponse:
    scope = access_invite_scope(_me(request), org_id)
    form = InvitationForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        role = data["role"]
        is_program_role = role in Membership.Role.values
        try:
            invitation_create(
                actor=_me(request),
                organization=scope.organization,
                email=data["email"],
                program=data["program"] if is_program_role else None,
                program_role=role if is_program_role else "",
                org_role="member" if is_program_role else role,
                display_name=data["display_name"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
            return redirect("invitations", org_id=org_id)
    pending = Paginator(
        invitations_pending_for(viewer=_me(request), scope=scope), INVITATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request, "programs/invitations.html", {"scope": scope, "form": form, "pending": pending}
    )


@login_required
def invitations_bulk(request: SignedInRequest, org_id) -> HttpResponse:
    scope = access_invite_scope(_me(request), org_id)
    form = BulkInvitationForm(request.POST or None, request.FILES or None, scope=scope)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            created = invitations_import(
                actor=_me(request),
                organization=scope.organization,
                rows=form.cleaned_data["file"],
                default_program=form.cleaned_data["default_program"],
            )
        except ImportRejected as exc:
            row_errors = exc.errors
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(count)d invitations sent.") % {"count": len(created)})
            return redirect("invitations", org_id=org_id)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "programs/invitations_bulk.html",
        {"scope": scope, "form": form, "row_errors": row_errors},
        status=status,
    )


@require_POST
@login_required
def invitation_revoke_view(request: SignedInRequest, invitation_id) -> HttpResponse:
    invitation = access_invitation(_me(request), invitation_id, write=True)
    invitation_revoke(actor=_me(request), invitation=invitation)
    messages.success(request, _("Invitation revoked; its link no longer works."))
    return redirect("invitations", org_id=invitation.organization.public_id)
