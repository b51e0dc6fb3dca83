"""Benchmark-only URLconf: every real route, plus a bare view as the yardstick.

Never imported by the application itself; only benchmarks/bench_settings.py points here.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from mentorhaven.urls import handler400, handler403, handler404, handler500, urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def signed_in(request):
    """The floor of any signed-in page: session, user and second-factor check, no page work."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    *urlpatterns,
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/signed-in/", signed_in, name="bench_signed_in"),
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
