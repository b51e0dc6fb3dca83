"""Load test: 100 people at once on production mode, mixed workload, 60 s (issue 14).

    .venv/bin/python benchmarks/bench_load.py [--users 100] [--seconds 60] [--workers 2]
        [--database-url postgres://...] [--redis-url redis://...]

What it does, self-contained:

1. Prepares a production-mode site (``tests/web/production.py``): a scratch PostgreSQL database
   (``mh_bench_load``), Redis database 13, key files, migrations, static files; then half as many
   mentoring pairs as users, each with a shared note and a file, a session and an API token per
   person.
2. Starts uvicorn with ``--workers`` processes (default 2, one per core), the audit sealer and
   the RQ task worker, all with ``MENTORHAVEN_ENV=production``.
3. Runs locust headless (``benchmarks/load_locustfile.py``) with ``--users`` users for
   ``--seconds``: the dashboard page, reading and sending messages, notes and file downloads.
4. Checks that every message the server acknowledged is in its conversation (read back from
   the database), then prints one JSON line: requests, failures, p50/p95/p99 per request kind
   and overall, messages acknowledged and lost. Goal: zero errors, zero lost messages.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from tests.web.production import Site  # noqa: E402

CHECK_SENT = """
import json, sys, django
django.setup()
from mentorhaven.messaging.models import Message
sent = [json.loads(line) for line in open(sys.argv[1])]
found = set(str(u) for u in Message.objects.filter(
    public_id__in=[s["id"] for s in sent]).values_list("public_id", flat=True))
print(json.dumps({"acknowledged": len(sent), "found": len(found)}))
"""


def stats(prefix: Path) -> dict:
    with open(f"{prefix}_stats.csv") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        out[name] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
            "requests_per_s": round(float(row["Requests/s"]), 1),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mh-bench-load-"))
    site = Site.prepare(tmp, args.database_url, args.redis_url, "mh_bench_load")
    try:
        pairs = max(1, args.users // 2)
        world_json = site.python("-m", "tests.web.production_world", str(pairs)).splitlines()[-1]
        (tmp / "world.json").write_text(world_json)
        sent = tmp / "sent.jsonl"
        sent.touch()
        port = 18000 + os.getpid() % 1000
        site.start([port], workers=args.workers)
        prefix = tmp / "locust"
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(PROJECT_DIR / "benchmarks" /
             "load_locustfile.py"), "--headless", "--users", str(args.users), "--spawn-rate",
             str(max(1, args.users // 5)), "--run-time", f"{args.seconds}s", "--host",
             f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
             "--loglevel", "ERROR", "--stop-timeout", "10"],
            env={**os.environ, "BENCH_LOAD_WORLD": str(tmp / "world.json"),
                 "BENCH_LOAD_SENT": str(sent)},
            cwd=PROJECT_DIR, check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        figures = stats(prefix)
        site.stop()
        check = json.loads(site.python("-c", CHECK_SENT, str(sent)).splitlines()[-1])
        total = figures.get("all", {})
        out = {
            "name": "load_production_mode",
            "users": args.users,
            "seconds": args.seconds,
            "web_workers": args.workers,
            "requests": total.get("requests", 0),
            "failures": total.get("failures", 0),
            "p50_ms": total.get("p50_ms"),
            "p95_ms": total.get("p95_ms"),
            "p99_ms": total.get("p99_ms"),
            "requests_per_s": total.get("requests_per_s"),
            "messages_acknowledged": check["acknowledged"],
            "messages_lost": check["acknowledged"] - check["found"],
            "by_kind": {k: v for k, v in figures.items() if k != "all"},
            "ok": total.get("failures", 1) == 0 and check["acknowledged"] == check["found"],
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_1m": round(os.getloadavg()[0], 2),
            },
        }
        print(json.dumps(out), flush=True)
    finally:
        site.stop()
        site.drop()
        shutil.rmtree(tmp, ignore_errors=True)  # its key files with it


if __name__ == "__main__":
    main()
