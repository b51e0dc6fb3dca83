"""Prometheus metrics: request rates and latencies, task queue depth, the audit sealer.

Labels are chosen so that no person and no object can appear in them: a request is labelled by
its route's *name* (``relationship_detail``, never ``/relationships/<uuid>/``), its method (one of
a fixed set) and its status code; a path that matches no route is ``unmatched``. The gauges are
counts and ages, read at scrape time.

Several uvicorn processes: set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, emptied at each
start, writable by every worker) and prometheus_client adds up the workers' counters at scrape
time; without it each scrape sees the one process that answered.

Why prometheus_client directly rather than django-prometheus: we need only the request counter
and histogram with route names, plus our own gauges; django-prometheus also swaps the database
and cache backends to count queries, which we do not want in the request path.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"

REQUESTS = Counter(
    "mentorhaven_http_requests",
    "HTTP requests answered, by route name, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "mentorhaven_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.view_name:
        return UNMATCHED
    return match.view_name


class MetricsMiddleware:
    """Counts and times every request under its route's name (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        route = route_name(request)
        LATENCY.labels(route, method).observe(time.perf_counter() - started)
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        return response


class OperationsCollector(Collector):
    """Gauges read from the database when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from mentorhaven.operations import health

        lag = health.sealer_lag_seconds()
        bound = health.sealer_lag_bound()
        yield GaugeMetricFamily(
            "mentorhaven_audit_sealer_lag_seconds",
            "Age of the oldest audit event not yet sealed into the chain (0 when none waits).",
            value=lag,
        )
        yield GaugeMetricFamily(
            "mentorhaven_audit_pending_events",
            "Audit events written but not yet sealed.",
            value=_pending_events(),
        )
        state = GaugeMetricFamily(
            "mentorhaven_audit_sealer_state",
            "1 for the sealer's current state: keeping_up (lag within the readiness bound) "
            "or lagging (stopped, or falling behind).",
            labels=["state"],
        )
        state.add_metric(["keeping_up"], 1.0 if lag <= bound else 0.0)
        state.add_metric(["lagging"], 0.0 if lag <= bound else 1.0)
        yield state
        depth = GaugeMetricFamily(
            "mentorhaven_task_queue_depth",
            "Background tasks waiting (ready) or running, on the task queue (database or RQ).",
            labels=["status"],
        )
        for status, count in _task_counts().items():
            depth.add_metric([status], float(count))
        yield depth


def _pending_events() -> float:
    from mentorhaven.kernel.models import AuditEvent

    return float(AuditEvent.objects.filter(seq__isnull=True).count())


def _task_counts() -> dict[str, int]:
    """Tasks waiting and running, on whichever queue ``TASK_BACKEND`` chose (all queues)."""
    if settings.TASK_BACKEND == "rq":
        import django_rq

        queues = [django_rq.get_queue(name) for name in settings.TASK_QUEUES]
        return {
            "ready": sum(queue.count for queue in queues),
            "running": sum(queue.started_job_registry.count for queue in queues),
        }
    if settings.TASK_BACKEND != "database":
        return {}
    from django_tasks_db.models import DBTaskResult

    return {
        "ready": DBTaskResult.objects.ready().count(),
        "running": DBTaskResult.objects.running().count(),
    }


def render() -> tuple[bytes, str]:
    """The exposition text (Prometheus text format 0.0.4) and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    registry.register(OperationsCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward(Collector):
    """The process's own metrics (requests, and the Python process collectors)."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self):  # type: ignore[no-untyped-def]
        return self.source.collect()
