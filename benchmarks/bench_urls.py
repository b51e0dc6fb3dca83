"""Benchmark-only URLconf: every real route, plus a bare view as the yardstick.

Never imported by the application itself; only benchmarks/bench_settings.py points here.
"""

from django.http import HttpResponse
from django.urls import path

from mentorhaven.urls import handler400, handler403, handler404, handler500, urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [*urlpatterns, path("bench/bare/", bare, name="bench_bare")]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
