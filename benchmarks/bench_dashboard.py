"""Dashboard benchmark: an authenticated dashboard against a bare Django view, same server.

    .venv/bin/python benchmarks/bench_dashboard.py [--database-url postgres://...]
        [--persona cara.mentee@demo.test] [--concurrency 16] [--seconds 5] [--rounds 3]

What it does, self-contained:

1. (Re)creates a scratch PostgreSQL database (default ``mh_bench_dash`` on 127.0.0.1:5432),
   migrates it and loads the demo data, with a throw-away master key and secret in a temp dir.
2. Starts uvicorn (one worker, DEBUG off) serving the real ASGI application with
   ``benchmarks.bench_settings``: the real settings and URLs plus ``/bench/bare/``, a view that
   returns "ok" through the same middleware stack. Production URLs never contain it.
3. Signs the persona in through the real forms (password, then the TOTP code when the persona's
   role requires one) and keeps the session cookie.
4. Loads both URLs at the given concurrency with a small asyncio HTTP/1.1 keep-alive client
   (loopback only, bounded by time and request count), alternating rounds so that drift on a
   shared machine hits both alike, and prints one JSON line: requests/s and p50/p95 latency of
   each, the ratio (goal: dashboard >= 40% of bare) and the machine.
5. Also loads ``/bench/signed-in/``, a signed-in view that does no work of its own: the cost
   every signed-in page pays (session, user, second-factor check) before its own queries.
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
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/mh_bench_dash"
GOAL_RATIO = 0.40
MAX_REQUESTS_PER_ROUND = 200_000


# --- set-up -------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing odd database name {name!r}")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {parts.path.lstrip('/')} WITH (FORCE)")


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


def manage(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "mentorhaven.cli", *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"mentorhaven {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
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
            "1",
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


def sign_in(port: int, email: str, password: str, env: dict[str, str]) -> str:
    browser = Browser(port)
    status, location = browser.post_form("/accounts/login/", {"login": email, "password": password})
    if status != 302:
        raise SystemExit(f"sign-in refused for {email} (status {status})")
    if "/2fa/authenticate" in location:
        code = manage(["demo", "totp", email], env).strip()
        status, location = browser.post_form(location, {"code": code})
        if status != 302:
            raise SystemExit(f"authenticator code refused for {email}")
    status, _, html = browser.request("GET", "/dashboard/")
    if status != 200 or "Hello," not in html:
        raise SystemExit(f"signed in but the dashboard answered {status}")
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


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


async def _worker(port, request: bytes, stop_at: float, budget: list[int], latencies, errors):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            if status != 200:
                errors.append(status)
                continue
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def load(port: int, path: str, cookie: str, concurrency: int, seconds: float):
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
        *(_worker(port, request, stop_at, budget, latencies, errors) for _ in range(concurrency))
    )
    return latencies, errors, time.perf_counter() - started


def figures(latencies: list[float], elapsed: float, errors: int) -> dict:
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else 0.0
    return {
        "requests": len(ordered),
        "errors": errors,
        "requests_per_s": round(len(ordered) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else 0.0,
        "p95_ms": round(p95 * 1000, 2),
    }


def machine(database_url: str) -> dict:
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
        "server": "uvicorn, 1 worker, DEBUG off",
        "client": "asyncio HTTP/1.1 keep-alive, same machine",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--persona", default="cara.mentee@demo.test")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round and URL")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    load_at_start = round(os.getloadavg()[0], 2)
    tmp = Path(tempfile.mkdtemp(prefix="mh-bench-dash-"))
    env = server_env(tmp, args.database_url)
    proc = None
    try:
        recreate_database(args.database_url)
        manage(["migrate", "--noinput"], env)
        manage(["demo"], env)
        passwords = json.loads((tmp / "var" / "demo-logins.json").read_text())
        port = free_port()
        proc = start_server(env, port)
        cookie = sign_in(port, args.persona, passwords[args.persona], env)

        targets = {
            "dashboard": ("/dashboard/", cookie),
            "bare": ("/bench/bare/", ""),
            "signed_in_floor": ("/bench/signed-in/", cookie),
        }
        for path, target_cookie in targets.values():  # warm-up: imports, templates, caches
            asyncio.run(load(port, path, target_cookie, args.concurrency, 1.0))
        results = {name: ([], [], 0.0) for name in targets}
        for _ in range(args.rounds):
            for name, (path, target_cookie) in targets.items():
                lat, errs, elapsed = asyncio.run(
                    load(port, path, target_cookie, args.concurrency, args.seconds)
                )
                all_lat, all_errs, total = results[name]
                results[name] = (all_lat + lat, all_errs + errs, total + elapsed)
        out = {name: figures(lat, total, len(errs)) for name, (lat, errs, total) in results.items()}
        ratio = (
            out["dashboard"]["requests_per_s"] / out["bare"]["requests_per_s"]
            if out["bare"]["requests_per_s"]
            else 0.0
        )
        print(
            json.dumps(
                {
                    "name": "dashboard_vs_bare",
                    "persona": args.persona,
                    "concurrency": args.concurrency,
                    "seconds_per_url": args.seconds * args.rounds,
                    "dashboard": out["dashboard"],
                    "bare": out["bare"],
                    "signed_in_floor": out["signed_in_floor"],
                    "ratio": round(ratio, 3),
                    "floor_ratio": round(
                        out["signed_in_floor"]["requests_per_s"] / out["bare"]["requests_per_s"], 3
                    )
                    if out["bare"]["requests_per_s"]
                    else 0.0,
                    "goal_ratio": GOAL_RATIO,
                    "meets_goal": ratio >= GOAL_RATIO,
                    "machine": {
                        **machine(args.database_url),
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
        if not args.keep_database:
            with contextlib.suppress(Exception):
                drop_database(args.database_url)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
