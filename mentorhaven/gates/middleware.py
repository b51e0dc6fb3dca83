"""The confidentiality agreement comes before anything else.

A signed-in participant of a program whose current agreement they have not accepted reaches
only the agreement page, their account pages (sign-out, second factor, security) and the
privacy pages; every other page redirects to the agreement, and the API answers 403
``agreement_required``. Decided afresh on every request (``gates.access.pending_agreement``,
one query), so a newly published version asks again on the next click.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from mentorhaven.gates.access import pending_agreement

EXEMPT_PREFIXES = (
    "/gates/agreement/",
    "/accounts/",
    "/privacy/",
    "/static/",
    "/healthz",
    "/readyz",
    "/metrics",
)


def agreement_required_response():
    return JsonResponse(
        {
            "message": _("Accept your program's confidentiality agreement before going on."),
            "code": "agreement_required",
            "extra": {},
        },
        status=403,
    )


class AgreementRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            pending = pending_agreement(user)
            if pending is not None:
                if request.path.startswith("/api/"):
                    return agreement_required_response()
                return redirect("gates:agreement", version_id=pending)
        return self.get_response(request)
