"""Request-log benchmark: what our one line per request costs.

    MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_request_log.py [--calls N]

Runs ``RequestLogMiddleware`` around a view that does nothing, for a mix of real paths (a share
link with its token, an API path with UUIDs, a message search with ``?q=``, a path matching no
pattern), with the line written through the settings' own formatter to ``/dev/null``, and the
same requests without the middleware. Prints one JSON line: microseconds per request added by
the log line (median of three repeats), and the machine's load average. No database is used.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
os.environ.setdefault("MENTORHAVEN_ENV", "test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from mentorhaven.web.request_log import RequestLogMiddleware, logger  # noqa: E402

UUID = "5f0c6a58-4ac4-4d31-9a39-1a0b8f0e9d11"
PATHS = [
    "/s/Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eA",
    f"/api/v1/relationships/{UUID}/messages",
    f"/messages/c/{UUID}/search/?q=burnout&page=2",
    "/dashboard/",
    "/no/such/page/Zm9vYmFyYmF6cXV4cXV1eA",
]


def _requests() -> list:
    factory = RequestFactory()
    built = []
    for url in PATHS:
        request = factory.get(url)
        with contextlib.suppress(Resolver404):  # a path matching nothing has no match
            request.resolver_match = resolve(request.path_info)  # as Django sets it
        built.append(request)
    return built


def _view(request) -> HttpResponse:
    return HttpResponse(status=404)


def _run(handler, requests: list, calls: int) -> float:
    """Seconds per request."""
    started = time.perf_counter()
    for i in range(calls):
        handler(requests[i % len(requests)])
    return (time.perf_counter() - started) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50_000)
    args = parser.parse_args()

    sink = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 (lives for the process)
    sink.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    logger.handlers, logger.propagate = [sink], False
    logger.setLevel(logging.INFO)

    requests = _requests()
    middleware = RequestLogMiddleware(_view)
    added = []
    for _ in range(3):
        bare = _run(_view, requests, args.calls)
        logged = _run(middleware, requests, args.calls)
        added.append((logged - bare) * 1e6)
    print(
        json.dumps(
            {
                "benchmark": "request_log_line",
                "added_us_per_request": round(statistics.median(added), 2),
                "repeats_us": [round(a, 2) for a in added],
                "calls_per_repeat": args.calls,
                "paths": len(PATHS),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "python": platform.python_version(),
                "cores": os.cpu_count(),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
