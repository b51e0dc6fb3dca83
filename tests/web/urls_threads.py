"""Views that report which thread ran them, for tests/web/test_asgi_handler.py."""

from __future__ import annotations

import threading
import time

from django.http import HttpResponse
from django.urls import path

# The test holds a request here until it lets it go.
held = threading.Event()
release = threading.Event()
running = 0
most_running = 0
_count = threading.Lock()


class ThreadProbeMiddleware:
    """Notes the thread the middleware chain runs on; the views answer with both threads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.chain_thread = threading.get_ident()
        return self.get_response(request)


def where(request):
    global running, most_running
    with _count:
        running += 1
        most_running = max(most_running, running)
    time.sleep(0.02)  # long enough for the requests in flight to overlap
    with _count:
        running -= 1
    return HttpResponse(
        f"{request.chain_thread} {threading.get_ident()}", content_type="text/plain"
    )


def stuck(request):
    held.set()
    release.wait(10)
    return HttpResponse(b"let go", content_type="text/plain")


urlpatterns = [path("where/", where), path("stuck/", stuck)]
