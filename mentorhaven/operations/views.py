"""Probes and metrics for machines: load balancers, orchestrators, Prometheus.

None of these needs a session, none writes an audit event (they read no one's data), and the
sign-in, second-factor and agreement gates let them through (their middlewares list the paths).
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mentorhaven.operations import health, metrics


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process is up and answers. Touches nothing else, so a database outage
    does not make the orchestrator restart healthy web processes (that is ``readyz``)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when every check passes, 503 otherwise; each check says ok or failing."""
    ready, checks = health.readiness()
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)


def metrics_token() -> str:
    """The bearer token Prometheus must present; "" when metrics are switched off."""
    return getattr(settings, "METRICS_TOKEN", None) or ""


def _presented_token(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for a scraper holding ``MENTORHAVEN_METRICS_TOKEN``. Without a
    configured token the endpoint does not exist (404)."""
    expected = metrics_token()
    if not expected:
        raise Http404
    presented = _presented_token(request)
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        response = HttpResponse("unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)
