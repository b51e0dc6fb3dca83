"""Headers Django does not set itself: Permissions-Policy, and no-store on personal pages."""

from __future__ import annotations

from django.conf import settings

# Pages that carry no personal data and may be cached by the browser.
CACHEABLE_PREFIXES = ("/static/",)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not request.path.startswith(CACHEABLE_PREFIXES):
            # Anything served to a signed-in person may hold personal data: never store it.
            response.headers["Cache-Control"] = "no-store, private"
        return response
