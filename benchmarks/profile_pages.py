"""Where one request of a signed-in page spends its time, in the program bench_pages.py builds.

    .venv/bin/python benchmarks/profile_pages.py --state-dir DIR [--database-url URL]
        [--only NAME ...] [--repeat 5] [--profile 25]

Reuses the database and keys that ``bench_pages.py --state-dir DIR`` left (build it once with
that script). Signs every named person in with Django's test client in this process, then for
each page (``tests.web.pages``): loads it once (warm-up), times ``--repeat`` more loads and counts
their queries and the time PostgreSQL took for them. Prints one JSON line per page, slowest
first; with ``--profile N`` also the N costliest functions (cumulative time, cProfile) of the
slowest page, or of each page named with ``--only``. One request at a time and no HTTP server:
the server time of the page itself, free of the load a concurrency test adds.

``--explain N`` also runs EXPLAIN ANALYZE on every SELECT each page made and prints those
whose plan visits more than N rows (rows scanned plus rows a filter removed, over all nodes):
the queries whose cost grows with the program rather than with what the page shows.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_pages import (
    DEFAULT_DB,
    server_env,
    setup_django,
    signed_in_clients,
    unlisted_pages,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--state-dir", required=True, help="the one bench_pages.py built")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="functions to show (0: none)")
    parser.add_argument("--explain", type=int, default=0, help="rows visited to report (0: off)")
    args = parser.parse_args()
    state = Path(args.state_dir)
    if not (state / "built").exists():
        raise SystemExit(f"{state} holds no built program: run bench_pages.py --state-dir first")
    setup_django(server_env(state, args.database_url))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.web.pages import pages
    from tests.world import find_world

    world = find_world()
    unlisted: list[str] = []  # URL patterns tests/web/pages.py does not know yet: said, skipped
    everything = pages(world, unlisted=unlisted_pages(unlisted))
    if unlisted:
        print(json.dumps({"not_in_tests_web_pages": sorted(unlisted)}))
    chosen = [p for p in everything if not args.only or p.name in args.only]
    clients = signed_in_clients(world)

    rows = []
    for page in chosen:
        client = clients[page.who]
        client.get(page.path)
        times, db_ms = [], []
        with CaptureQueriesContext(connection) as queries:
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(page.path)
                times.append((time.perf_counter() - started) * 1000)
        if response.status_code != page.status:
            raise SystemExit(f"{page.name}: {response.status_code}, expected {page.status}")
        db_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000 / args.repeat
        if args.explain:
            one_load = queries.captured_queries[: len(queries.captured_queries) // args.repeat]
            for sql, visited in heavy_queries(connection, one_load, args.explain):
                print(json.dumps({"page": page.name, "rows_visited": visited, "sql": sql}))
        rows.append(
            {
                "page": page.name,
                "median_ms": round(statistics.median(times), 1),
                "db_ms": round(db_ms, 1),
                "queries": len(queries.captured_queries) // args.repeat,
            }
        )
    rows.sort(key=lambda r: -r["median_ms"])
    for row in rows:
        print(json.dumps(row))
    if args.profile:
        names = args.only or [rows[0]["page"]]
        for page in (p for p in chosen if p.name in names):
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                clients[page.who].get(page.path)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(f"--- {page.name}")
            print(out.getvalue())


def _rows_visited(node: dict) -> int:
    """Rows a plan node and its children produced or threw away, over every loop."""
    own = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * node.get(
        "Actual Loops", 1
    )
    return own + sum(_rows_visited(child) for child in node.get("Plans", []))


def heavy_queries(connection, captured: list[dict], limit: int) -> list[tuple[str, int]]:
    """(SQL, rows visited) of each captured SELECT whose plan visits more than ``limit`` rows.
    Only SELECTs are explained: EXPLAIN ANALYZE runs the statement."""
    heavy = []
    with connection.cursor() as cursor:
        for query in captured:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            visited = _rows_visited(plan[0]["Plan"])
            if visited > limit:
                heavy.append((sql, visited))
    return heavy


if __name__ == "__main__":
    main()
