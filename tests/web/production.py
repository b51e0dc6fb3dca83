"""A production-mode site on this machine's PostgreSQL and Redis, for the production test and
the load benchmark: a scratch database and Redis database, key files, migrations, static files,
and the processes as deployed (uvicorn, the audit sealer, the task worker), each with
``MENTORHAVEN_ENV=production``. Clients speak as the TLS-terminating proxy does
(``X-Forwarded-Proto: https``)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROXY = {"X-Forwarded-Proto": "https"}
CLI = ("-m", "mentorhaven.cli")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(tmp: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MENTORHAVEN_", "DJANGO_", "TASK_BACKEND", "PYTEST"))
    }
    env.update(
        {
            "MENTORHAVEN_ENV": "production",
            "MENTORHAVEN_SECRET_KEY": secrets.token_urlsafe(64),
            "MENTORHAVEN_ALLOWED_HOSTS": "127.0.0.1",
            "MENTORHAVEN_SITE_URL": "https://127.0.0.1",
            "MENTORHAVEN_VAR_DIR": str(tmp / "var"),
            "MENTORHAVEN_STATIC_ROOT": str(tmp / "static"),
            "MENTORHAVEN_MASTER_KEY_FILE": str(tmp / "keys" / "master.key"),
            "MENTORHAVEN_AUDIT_SIGNING_KEY_FILE": str(tmp / "keys" / "audit-signing.key"),
            "MENTORHAVEN_LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"file://{tmp / 'mail'}",
            "PYTHONPATH": str(PROJECT_DIR),
            "DJANGO_SETTINGS_MODULE": "mentorhaven.settings",
        }
    )
    return env


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=PROJECT_DIR, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def request(port: int, method: str, path: str, token: str, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {**PROXY, "Authorization": f"Bearer {token}", "Host": "127.0.0.1"}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, (json.loads(payload) if payload else None)


def wait_until_serving(proc: subprocess.Popen, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("a web process exited during start-up")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={**PROXY, "Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"a web process did not answer /healthz within {seconds:.0f} s")


@dataclass
class Site:
    """A prepared production site: ``start`` its processes, ``stop`` them, ``drop`` its data."""

    tmp: Path
    database_url: str
    redis_url: str
    env: dict[str, str]
    procs: list[subprocess.Popen] = field(default_factory=list)

    @classmethod
    def prepare(cls, tmp: Path, database_url: str, redis_url: str, name: str) -> Site:
        """A fresh scratch database ``name`` next to ``database_url``'s, Redis database 13 of
        ``redis_url``'s server, keys, migrations and static files."""
        import psycopg
        import redis

        (tmp / "keys").mkdir(parents=True, exist_ok=True)
        base = database_url.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        parts = urllib.parse.urlsplit(redis_url)
        scratch_redis = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/13", "", ""))
        redis.Redis.from_url(scratch_redis).flushdb()
        site = cls(tmp, f"{base}/{name}", scratch_redis, {})
        site.env = environment(tmp, site.database_url, scratch_redis)
        run(site.env, *CLI, "keys", "generate", site.env["MENTORHAVEN_MASTER_KEY_FILE"])
        run(site.env, *CLI, "audit", "keygen", site.env["MENTORHAVEN_AUDIT_SIGNING_KEY_FILE"])
        run(site.env, *CLI, "migrate", "--noinput")
        run(site.env, *CLI, "collectstatic", "--noinput", "--verbosity", "0")
        return site

    def python(self, *args: str) -> str:
        return run(self.env, *args)

    def start(self, ports: list[int], *, workers: int = 1) -> None:
        commands = [
            *(
                [sys.executable, "-m", "uvicorn", "mentorhaven.asgi:application", "--host",
                 "127.0.0.1", "--port", str(port), "--workers", str(workers), "--no-access-log",
                 "--log-level", "warning"]
                for port in ports
            ),
            [sys.executable, *CLI, "audit", "sealer"],
            [sys.executable, *CLI, "worker"],
        ]  # fmt: skip
        self.procs = [
            subprocess.Popen(cmd, env=self.env, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL)
            for cmd in commands
        ]
        for proc, port in zip(self.procs, ports, strict=False):
            wait_until_serving(proc, port)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    def drop(self) -> None:
        import psycopg
        import redis

        base, name = self.database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(self.redis_url).flushdb()
