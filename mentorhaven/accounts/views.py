"""Account pages: the security overview (second factor, sessions, API tokens)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mentorhaven.accounts.selectors import user_has_mfa, user_requires_mfa


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {"has_mfa": user_has_mfa(request.user), "requires_mfa": user_requires_mfa(request.user)},
    )
