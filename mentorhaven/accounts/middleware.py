"""Per-request account rules: the second-factor gate, and the person's time zone.

The second-factor rule for people whose roles let them see other people's data.

Until a mentor or anyone with an admin role has enrolled a second factor, they reach only
enrolment, signing out and static files; the API answers 403 ``mfa_required``. Decided afresh
on every request (accounts.selectors.mfa_gate), so a role granted or a last factor removed
counts on the very next one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.domain import zone_named
from mentorhaven.accounts.selectors import mfa_gate
from mentorhaven.accounts.sso import second_factor_delegated

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from mentorhaven.accounts.models import User

# Paths a signed-in person without MFA may still reach: enrolment itself, signing out,
# re-authentication (allauth asks for it before enrolment) and static assets.
MFA_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/static/",
    "/healthz",
    "/readyz",
    "/metrics",
)


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and mfa_gate(user).blocks
            # The organization's sign-in provider vouched for a second factor at this sign-in.
            and not second_factor_delegated(request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "message": _("Set up two-factor authentication before using MentorHaven."),
                        "code": "mfa_required",
                        "extra": {},
                    },
                    status=403,
                )
            return redirect("mfa_index")
        return self.get_response(request)


def activate_time_zone(user: User | AnonymousUser | None) -> None:
    """Show and read times in ``user``'s zone for the rest of this request (UTC for visitors).
    A zone name the tz database no longer knows falls back to UTC rather than failing."""
    if getattr(user, "is_authenticated", False):
        timezone.activate(zone_named(getattr(user, "time_zone", "")))
    else:
        timezone.deactivate()


class TimeZoneMiddleware:
    """Activates the signed-in person's zone after authentication; the API's token
    authentication activates it again once it knows the token's owner (accounts.tokens).
    Stored times stay in UTC; forms read entered times and templates show them in this zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        activate_time_zone(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
