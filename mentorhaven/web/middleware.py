"""Headers Django does not set itself, and methods we never serve.

* Permissions-Policy on every page, and ``Cache-Control: no-store`` on everything but static
  files: a page served to a signed-in person may hold personal data.
* ``Clear-Site-Data`` when someone signs out, so a shared computer keeps nothing of theirs.
* TRACE/TRACK are refused: no view needs them, and they only help cross-site tracing.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.urls import reverse

# Pages that carry no personal data and may be cached by the browser.
CACHEABLE_PREFIXES = ("/static/",)
REFUSED_METHODS = ("TRACE", "TRACK")
SAFE_AND_WRITE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in REFUSED_METHODS:
            response = HttpResponseNotAllowed(SAFE_AND_WRITE_METHODS)
        else:
            response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not request.path.startswith(CACHEABLE_PREFIXES):
            # Anything served to a signed-in person may hold personal data: never store it.
            response.headers["Cache-Control"] = "no-store, private"
        if (
            request.method == "POST"
            and request.path == reverse("account_logout")
            and not request.user.is_authenticated
        ):
            response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response
