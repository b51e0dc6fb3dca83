"""Every signed-in page, for the person who opens it, in a program of 2,000 participants.

    .venv/bin/python benchmarks/bench_pages.py [--database-url postgres://...]
        [--participants 2000] [--concurrency 16] [--seconds 2] [--rounds 3] [--only NAME ...]
        [--workers N] [--state-dir DIR]

Goal: every page answers with p95 <= 100 ms at concurrency 16, with a query count that does not
grow with the program (tests/web/test_page_queries.py compares a small and a large program).

What it does, self-contained:

1. (Re)creates a scratch PostgreSQL database (default ``mh_bench_pages`` on 127.0.0.1:5432),
   migrates it, and builds the program with ``tests.world.build_world`` in this process:
   named people in every role (they sign in with a password, staff with a second factor), the
   other participants with questionnaire answers, relationships, invitations, a matching run,
   and a full relationship (goals, meetings, notes, messages, files) between the named mentee
   and mentor. A throw-away master key and secret key live in a temporary directory.
2. Starts uvicorn (DEBUG off; ``--workers``, default one process per core, as
   docs/operations.md tells a deployment to run: a process computes one request at a time under
   Python's global lock, so one process on two cores leaves a core idle and measures a queue,
   not a page) serving the real ASGI application (MENTORHAVEN_WEB_THREADS as configured) with
   ``benchmarks.bench_settings``: the real settings and URLs plus ``/bench/bare/`` (a view
   returning "ok" through the same middleware) and ``/bench/signed-in/`` (a signed-in view doing
   nothing: what every signed-in page pays before its own work).
3. Signs every named person in through the real forms (password, then the TOTP code).
4. Loads each page of ``tests.web.pages`` (every URL pattern that is a signed-in GET page;
   the others are listed with the reason) as its person, at the given concurrency, with a small
   asyncio HTTP/1.1 keep-alive client, page after page, round after round (so drift on a shared
   machine spreads over all pages), and counts each page's queries once with Django's test
   client in this process.
5. Prints one JSON line: per page p50/p95, requests/s and queries; the slowest page; whether
   every page meets the goal; the dashboard's and the floor's throughput against the bare view
   (reported, not a goal); the pages not measured and why; the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/mh_bench_pages"
GOAL_P95_MS = 100.0
MAX_REQUESTS_PER_ROUND = 200_000


# --- set-up -------------------------------------------------------------------------------


def _admin_url(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing odd database name {name!r}")
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name


def recreate_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def server_env(tmp: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORHAVEN_", "DJANGO_"))}
    env.pop("REDIS_URL", None)
    env.update(
        {
            "MENTORHAVEN_ENV": "development",
            "MENTORHAVEN_DEBUG": "false",
            "MENTORHAVEN_VAR_DIR": str(tmp / "var"),
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "PYTHONPATH": str(PROJECT_DIR),
            "MENTORHAVEN_LOG_LEVEL": "WARNING",
        }
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process exactly as the server is (same database and keys)."""
    os.environ.update(env)
    import django

    django.setup()


def build(participants: int, *, reuse: bool):
    from django.core.management import call_command

    from tests.world import build_world, find_world

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    world = find_world() if reuse else build_world(participants=participants, content=10)
    from benchmarks.dbstats import analyze

    analyze()  # as autovacuum would on a running site (benchmarks/dbstats.py)
    return world, time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int, workers: int = 1) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "mentorhaven.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
            "--lifespan",
            "off",
        ],
        env=env,
        cwd=PROJECT_DIR,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("uvicorn exited during start-up")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("uvicorn did not answer /healthz within 30 s")


# --- signing in through the real forms ----------------------------------------------------


class Browser:
    """Just enough of a browser for the sign-in forms: cookies, CSRF token, redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", response.read().decode()

    def post_form(self, path: str, fields: dict) -> tuple[int, str]:
        status, _, html = self.request("GET", path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not match:
            raise SystemExit(f"no form at {path} (status {status})")
        status, location, _ = self.request(
            "POST", path, {"csrfmiddlewaretoken": match.group(1), **fields}
        )
        return status, location


def sign_in(port: int, email: str, password: str, totp_secret: str | None) -> str:
    from tests.conftest import totp_code

    browser = Browser(port)
    status, location = browser.post_form("/accounts/login/", {"login": email, "password": password})
    if status != 302:
        raise SystemExit(f"sign-in refused for {email} (status {status})")
    if "/2fa/authenticate" in location:
        if totp_secret is None:
            raise SystemExit(f"{email} was asked for a second factor it does not have")
        status, location = browser.post_form(location, {"code": totp_code(totp_secret)})
        if status != 302:
            raise SystemExit(f"authenticator code refused for {email}")
    # Confirming the password once opens the second-factor settings pages too.
    status, _location = browser.post_form("/accounts/reauthenticate/", {"password": password})
    if status != 302:
        raise SystemExit(f"re-authentication refused for {email}")
    status, _, html = browser.request("GET", "/dashboard/")
    if status != 200 or "Hello," not in html:
        raise SystemExit(f"signed in but the dashboard answered {status}")
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def signed_in_clients(world) -> dict:
    """A Django test client per named person (in this process), signed in through the forms."""
    from django.test import Client

    from tests.conftest import totp_code
    from tests.world import PASSWORD

    clients = {}
    for who, user in world.people.items():
        client = Client()
        client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
        if who in world.totp_secrets:
            client.post("/accounts/2fa/authenticate/", {"code": totp_code(world.totp_secrets[who])})
        client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        clients[who] = client
    return clients


def count_queries(world, pages) -> dict[str, int]:
    """Each page's queries on its second load (the first records the session), with Django's
    test client in this process, signed in through the same forms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = signed_in_clients(world)
    counts = {}
    for page in pages:
        clients[page.who].get(page.path)
        with CaptureQueriesContext(connection) as queries:
            clients[page.who].get(page.path)
        counts[page.name] = len(queries.captured_queries)
    return counts


# --- load ---------------------------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _worker(port, request: bytes, expected: int, stop_at, budget, latencies, errors):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            if status != expected:
                errors.append(status)
                continue
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def load(port: int, path: str, cookie: str, expected: int, concurrency: int, seconds: float):
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: mh-bench\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "Connection: keep-alive\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    errors: list[int] = []
    budget = [MAX_REQUESTS_PER_ROUND]
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(
        *(
            _worker(port, request, expected, stop_at, budget, latencies, errors)
            for _ in range(concurrency)
        )
    )
    return latencies, errors, time.perf_counter() - started


def figures(latencies: list[float], elapsed: float, errors: list[int]) -> dict:
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else 0.0
    return {
        "requests": len(ordered),
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
        "requests_per_s": round(len(ordered) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else 0.0,
        "p95_ms": round(p95 * 1000, 2),
    }


def machine(database_url: str, workers: int) -> dict:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import django

    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": urllib.parse.urlsplit(database_url).scheme,
        "server": f"uvicorn, {workers} worker{'s' if workers > 1 else ''}, DEBUG off",
        "client": "asyncio HTTP/1.1 keep-alive, same machine",
    }


UNLISTED = "not in tests/web/pages.py yet (tests/web/test_page_queries.py fails until it is)"


def unlisted_pages(found: list[str]):
    """For ``pages(unlisted=...)``: collects the URL patterns nobody listed yet in ``found``
    (the bench's own yardsticks, measured apart, excepted)."""

    def note(name: str) -> None:
        if name not in ("bench_bare", "bench_signed_in"):
            found.append(name)

    return note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=2.0, help="per round and page")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="measure only the pages with these labels")
    parser.add_argument(
        "--state-dir",
        help="keep the database and its keys here and reuse them on the next run with the same "
        "directory (skips building the program; implies --keep-database)",
    )
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="uvicorn processes (default: one per core, as deployed)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("bench_pages measures PostgreSQL: pass a postgres:// URL")

    load_at_start = round(os.getloadavg()[0], 2)
    state = Path(args.state_dir) if args.state_dir else None
    reuse = state is not None and (state / "built").exists()
    tmp = state or Path(tempfile.mkdtemp(prefix="mh-bench-pages-"))
    env = server_env(tmp, args.database_url)
    proc = None
    try:
        if not reuse:
            recreate_database(args.database_url)
        setup_django(env)
        world, seed_seconds = build(args.participants, reuse=reuse)
        if state is not None:
            (state / "built").touch()
        from django.db import connections

        from tests.security.urlwalk import endpoints
        from tests.web.pages import not_a_page, pages
        from tests.world import PASSWORD

        # A page nobody listed yet is reported as not measured (the page-query test is what
        # fails for it), so the other pages can still be measured.
        unlisted: list[str] = []
        everything = pages(world, unlisted=unlisted_pages(unlisted))
        to_measure = [p for p in everything if not args.only or p.name in args.only]
        if not to_measure:
            labels = ", ".join(sorted(p.name for p in everything))
            raise SystemExit(f"--only names no page; the pages are: {labels}")
        not_measured = {
            e.name: reason for e in endpoints() if (reason := not_a_page(e.name, e.route))
        } | dict.fromkeys(unlisted, UNLISTED)
        queries = count_queries(world, to_measure)
        connections.close_all()

        port = free_port()
        proc = start_server(env, port, args.workers)
        cookies = {
            who: sign_in(port, user.email, PASSWORD, world.totp_secrets.get(who))
            for who, user in world.people.items()
        }
        targets = {p.name: (p.path, cookies[p.who], p.status) for p in to_measure} | {
            "bare": ("/bench/bare/", "", 200),
            "signed_in_floor": ("/bench/signed-in/", cookies["mentee"], 200),
        }
        for path, cookie, status in targets.values():  # warm-up: imports, templates, caches
            asyncio.run(load(port, path, cookie, status, args.concurrency, 0.5))
        results = {name: ([], [], 0.0) for name in targets}
        for _ in range(args.rounds):
            for name, (path, cookie, status) in targets.items():
                lat, errs, elapsed = asyncio.run(
                    load(port, path, cookie, status, args.concurrency, args.seconds)
                )
                all_lat, all_errs, total = results[name]
                results[name] = (all_lat + lat, all_errs + errs, total + elapsed)
        out = {name: figures(lat, total, errs) for name, (lat, errs, total) in results.items()}
        page_figures = {name: {**out[name], "queries": queries[name]} for name in queries}
        slowest = max(page_figures, key=lambda n: page_figures[n]["p95_ms"])
        bare_rps = out["bare"]["requests_per_s"] or 1.0
        dashboard = page_figures.get("dashboard (mentee)")
        print(
            json.dumps(
                {
                    "name": "signed_in_pages",
                    "participants": world.participants,
                    "seed_seconds": round(seed_seconds, 1),
                    "concurrency": args.concurrency,
                    "seconds_per_page": args.seconds * args.rounds,
                    "goal_p95_ms": GOAL_P95_MS,
                    "meets_goal": all(
                        f["p95_ms"] <= GOAL_P95_MS and not f["errors"]
                        for f in page_figures.values()
                    ),
                    "slowest": {"page": slowest, **page_figures[slowest]},
                    "pages": page_figures,
                    "bare": out["bare"],
                    "signed_in_floor": out["signed_in_floor"],
                    "dashboard_vs_bare": round(dashboard["requests_per_s"] / bare_rps, 3)
                    if dashboard
                    else None,
                    "floor_vs_bare": round(out["signed_in_floor"]["requests_per_s"] / bare_rps, 3),
                    "not_measured": not_measured,
                    "machine": {
                        **machine(args.database_url, args.workers),
                        "load_avg_1m_at_start": load_at_start,
                    },
                }
            )
        )
    finally:
        if proc is not None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
            if proc.poll() is None:
                proc.kill()
        if not (args.keep_database or state):
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            with contextlib.suppress(Exception):
                drop_database(args.database_url)
        if state is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
