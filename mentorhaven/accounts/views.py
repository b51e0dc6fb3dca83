"""Account pages: security overview, profile, and the sessions a person can end."""

from __future__ import annotations

from typing import cast

from allauth.account.forms import AddEmailForm
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorhaven.accounts.forms import ProfileForm
from mentorhaven.accounts.models import SignedInRequest, User
from mentorhaven.accounts.selectors import access_user_session, mfa_status, sessions_for
from mentorhaven.accounts.services import (
    email_change_start,
    session_end,
    sessions_end_others,
    user_profile_update,
)
from mentorhaven.accounts.sessions import stored_key


def _me(request: HttpRequest) -> User:
    """The signed-in person (every caller is behind login_required)."""
    return cast(User, request.user)


@login_required
def security(request: SignedInRequest) -> HttpResponse:
    status = mfa_status(_me(request))
    return render(
        request,
        "accounts/security.html",
        {"mfa": status, "has_mfa": status.enabled, "requires_mfa": status.required},
    )


@login_required
def profile(request: SignedInRequest) -> HttpResponse:
    me = _me(request)
    form = ProfileForm(
        request.POST or None,
        initial={"display_name": me.display_name, "time_zone": me.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user_profile_update(
            actor=me,
            user=me,
            display_name=data["display_name"],
            time_zone=data["time_zone"] or None,
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("account_profile")
    return render(
        request, "accounts/profile.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
def email_change(request: SignedInRequest) -> HttpResponse:
    """Change one's e-mail address, verified through allauth's e-mail change flow: the new
    address must be confirmed from its own inbox before it replaces the old one. (allauth's
    own address manager is not served: it would offer to make an unconfirmed address primary.)"""
    me = _me(request)
    form = AddEmailForm(user=me, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        email_change_start(actor=me, request=request, form=form)
        messages.success(
            request, _("We sent a confirmation link to the new address. Open it to finish.")
        )
        return redirect("account_email")
    pending = EmailAddress.objects.get_new(me)
    return render(
        request,
        "accounts/email.html",
        {"form": form, "pending": pending},
        status=422 if form.errors else 200,
    )


@login_required
def sessions(request: SignedInRequest) -> HttpResponse:
    rows = sessions_for(viewer=_me(request), current_session_key=request.session.session_key)
    return render(request, "usersessions/usersession_list.html", {"sessions": rows})


@require_POST
@login_required
def session_end_view(request: SignedInRequest) -> HttpResponse:
    ref = request.POST.get("session", "")
    if ref == "others":
        count = sessions_end_others(
            actor=_me(request), current_session_key=request.session.session_key
        )
        messages.success(request, _("Signed out %(count)d other session(s).") % {"count": count})
        return redirect("usersessions_list")
    session = access_user_session(_me(request), ref)
    if session.session_key == stored_key(request.session.session_key or ""):
        return redirect("account_logout")
    session_end(actor=_me(request), session=session)
    messages.success(request, _("That session was signed out."))
    return redirect("usersessions_list")
