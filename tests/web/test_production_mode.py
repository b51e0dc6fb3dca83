"""Production mode on this machine's PostgreSQL and Redis, as deployed: two web processes (as
behind a load balancer), the audit sealer and an RQ task worker, each its own process with
``MENTORHAVEN_ENV=production``, keys in files, secure cookies and HTTPS enforced (the test
speaks as the TLS-terminating proxy does, with ``X-Forwarded-Proto: https``).

It proves what only several processes can show: a message sent through one web process reaches
a WebSocket client connected to the other (through Redis), and background work enqueued by a web
process is done by the RQ worker.
"""

from __future__ import annotations

import asyncio
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
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
PROXY = {"X-Forwarded-Proto": "https"}

pytestmark = pytest.mark.skipif(
    not (DATABASE_URL.startswith("postgres") and REDIS_URL),
    reason="production mode needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin_url(name: str) -> tuple[str, str]:
    base = DATABASE_URL.rsplit("/", 1)[0]
    return f"{base}/postgres", f"{base}/{name}"


def _environment(tmp: Path, database_url: str, redis_url: str) -> dict[str, str]:
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


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=PROJECT_DIR, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _request(port: int, method: str, path: str, token: str, body: dict | None = None):
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


def _wait_until_serving(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "a web process exited during start-up"
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={**PROXY, "Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise AssertionError("a web process did not answer /healthz within 60 s")


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    import psycopg
    import redis

    tmp = tmp_path_factory.mktemp("production")
    (tmp / "keys").mkdir()
    name = f"mh_production_{os.getpid()}"
    admin, database_url = _admin_url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(REDIS_URL)
    redis_url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/13", "", ""))
    redis.Redis.from_url(redis_url).flushdb()
    env = _environment(tmp, database_url, redis_url)
    cli = ("-m", "mentorhaven.cli")
    _run(env, *cli, "keys", "generate", env["MENTORHAVEN_MASTER_KEY_FILE"])
    _run(env, *cli, "audit", "keygen", env["MENTORHAVEN_AUDIT_SIGNING_KEY_FILE"])
    _run(env, *cli, "migrate", "--noinput")
    _run(env, *cli, "collectstatic", "--noinput", "--verbosity", "0")
    world = json.loads(_run(env, "-m", "tests.web.production_world").strip().splitlines()[-1])

    ports = [_free_port(), _free_port()]
    commands = [
        *(
            [sys.executable, "-m", "uvicorn", "mentorhaven.asgi:application", "--host",
             "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
            for port in ports
        ),
        [sys.executable, *cli, "audit", "sealer"],
        [sys.executable, *cli, "worker"],
    ]  # fmt: skip
    procs = [
        subprocess.Popen(cmd, env=env, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL)
        for cmd in commands
    ]
    try:
        for proc, port in zip(procs, ports, strict=False):
            _wait_until_serving(proc, port)
        yield {"ports": ports, "procs": procs, **world}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(redis_url).flushdb()


async def _send_on_one_receive_on_other(production: dict, text: str) -> list[dict]:
    from websockets.asyncio.client import connect

    sender, listener = production["ports"]
    received: list[dict] = []
    url = f"ws://127.0.0.1:{listener}/ws/conversations/{production['conversation']}/"
    headers = {**PROXY, "Cookie": production["mentor_cookie"]}
    async with connect(url, origin="https://127.0.0.1", additional_headers=headers) as ws:
        await asyncio.sleep(0.3)  # the socket has joined its conversation's group
        path = f"/api/v1/relationships/{production['relationship']}/messages"
        status, _ = await asyncio.to_thread(
            _request, sender, "POST", path, production["mentee_token"], {"body": text}
        )
        assert status == 201
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=deadline - time.monotonic())
            except TimeoutError:
                break
            frame = json.loads(raw)
            received += frame.get("items", [])
            if any(item.get("body") == text for item in received):
                break
    return received


def test_a_message_sent_through_one_web_process_reaches_a_socket_on_the_other(production):
    text = f"across processes {secrets.token_hex(4)}"
    received = asyncio.run(_send_on_one_receive_on_other(production, text))
    assert [item["body"] for item in received if item.get("body") == text] == [text]
    assert all(proc.poll() is None for proc in production["procs"])


def test_background_work_from_a_web_process_is_done_by_the_rq_worker(production):
    port, token = production["ports"][1], production["mentee_token"]
    status, job = _request(port, "POST", "/api/v1/me/export", token)
    assert status == 202
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        status, job = _request(port, "GET", f"/api/v1/me/exports/{job['id']}", token)
        assert status == 200
    assert job["status"] == "ready"
    assert job["size"] > 0
