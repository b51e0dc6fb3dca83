"""Until a mentor or any admin role has enrolled a second factor, they reach only enrolment."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect

from mentorhaven.accounts.selectors import user_has_mfa, user_requires_mfa

# Paths a signed-in person without MFA may still reach: enrolment itself, signing out,
# re-authentication (allauth asks for it before enrolment) and static assets.
MFA_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/static/",
    "/healthz",
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
            and user_requires_mfa(user)
            and not user_has_mfa(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "message": "Set up two-factor authentication before using MentorHaven.",
                        "code": "mfa_required",
                        "extra": {},
                    },
                    status=403,
                )
            return redirect("mfa_index")
        return self.get_response(request)
