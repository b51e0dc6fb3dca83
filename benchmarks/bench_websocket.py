"""WebSocket delivery latency with 200 connected clients, through uvicorn on loopback.

    .venv/bin/python benchmarks/bench_websocket.py [--database-url postgres://...]
        [--pairs 100] [--messages 600] [--senders 10]

What it does, self-contained:

1. (Re)creates a scratch PostgreSQL database (default ``mh_bench_ws``), migrates it, and creates
   ``--pairs`` active mentoring relationships (200 people by default) with their conversations,
   a signed-in session per person and an API token per mentee — in a throw-away ``var/`` dir,
   so this process and the server share the same master key.
2. Starts uvicorn (one worker, DEBUG off, in-memory channel layer) with the real ASGI app.
3. Opens one WebSocket per person at ``/ws/conversations/<id>/`` with the session cookie and a
   same-site Origin: 200 clients connected at once.
4. ``--senders`` concurrent senders post messages through the real API
   (``POST /api/v1/relationships/{id}/messages``), each waiting until its message reached the
   other participant's socket before sending the next. Latency is measured from just before the
   POST is written to the moment the recipient's socket yields the frame: it includes the
   HTTP request, the encrypted insert, the audit event, the commit, the channel-layer doorbell
   and the socket's own access-checked read. Prints one JSON line (target: p95 < 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from benchmarks.bench_messages import drop_database, recreate_database  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/mh_bench_ws"
TARGET_P95_MS = 100.0


def configure(tmp: Path, database_url: str) -> dict[str, str]:
    """One environment for this process and the server (same keys, same database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORHAVEN_", "DJANGO_"))}
    env.pop("REDIS_URL", None)
    env.update(
        {
            "MENTORHAVEN_ENV": "development",
            "MENTORHAVEN_DEBUG": "false",
            "MENTORHAVEN_VAR_DIR": str(tmp / "var"),
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "mentorhaven.settings",
            "PYTHONPATH": str(PROJECT_DIR),
            "MENTORHAVEN_LOG_LEVEL": "WARNING",
            "TASK_BACKEND": "immediate",  # no worker here: e-mails are sent (to the console
        }  # backend, silenced below) inline after commit, as part of the measured path
    )
    os.environ.clear()
    os.environ.update(env)
    return env


def build_world(pairs: int) -> list[dict]:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.utils.module_loading import import_string

    from mentorhaven.accounts.models import User
    from mentorhaven.accounts.services import mfa_enroll_totp
    from mentorhaven.accounts.tokens import api_token_create
    from mentorhaven.mentoring.services import relationship_accept, relationship_propose
    from mentorhaven.messaging.services import conversation_for_relationship
    from mentorhaven.programs.models import Membership, Organization, OrgMembership, Program

    call_command("migrate", verbosity=0)
    SessionStore = import_string(f"{settings.SESSION_ENGINE}.SessionStore")

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    org = Organization.objects.create(name="Bench", slug="bench")
    program = Program.objects.create(organization=org, name="Bench", slug="bench-ws")
    admin = User.objects.create_user(email="admin@ws.bench", display_name="Admin")
    Membership.objects.create(program=program, user=admin, role="program_admin")
    world = []
    for i in range(pairs):
        mentor = User.objects.create_user(email=f"mentor{i}@ws.bench", display_name=f"M{i}")
        mentee = User.objects.create_user(email=f"mentee{i}@ws.bench", display_name=f"E{i}")
        mfa_enroll_totp(user=mentor)  # mentors must have a second factor, sockets included
        for user, role in ((mentor, "mentor"), (mentee, "mentee")):
            OrgMembership.objects.create(organization=org, user=user)
            Membership.objects.create(program=program, user=user, role=role)
        rel = relationship_propose(actor=admin, program=program, mentee=mentee, mentor=mentor)
        relationship_accept(actor=mentee, relationship=rel)
        rel = relationship_accept(actor=mentor, relationship=rel)
        conversation = conversation_for_relationship(actor=mentee, relationship=rel)
        _token, secret = api_token_create(actor=mentee, user=mentee, name="b", scope="write")
        world.append(
            {
                "relationship": str(rel.public_id),
                "conversation": str(conversation.public_id),
                "mentee_cookie": session_for(mentee),
                "mentor_cookie": session_for(mentor),
                "token": secret,
            }
        )
    from django.db import connections

    connections.close_all()
    return world


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "mentorhaven.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--no-access-log", "--log-level", "warning", "--lifespan", "off",
        ],
        env={**env, "EMAIL_URL": "console://"},
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
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


async def _post(reader, writer, port: int, path: str, token: str, body: dict) -> int:
    data = json.dumps(body).encode()
    writer.write(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        ).encode()
        + data
    )
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(lines[0].split(" ", 2)[1])


async def run(port: int, world: list[dict], messages: int, senders: int) -> dict:
    from websockets.asyncio.client import connect

    origin = f"http://127.0.0.1:{port}"
    sent_at: dict[str, float] = {}
    arrived: dict[str, asyncio.Event] = {}
    latencies: list[float] = []
    post_times: list[float] = []

    async def listen(ws, role: str):
        async for raw in ws:
            frame = json.loads(raw)
            for item in frame.get("items", []):
                tag = item["body"]
                if not item["mine"] and tag in sent_at and role == "mentor":
                    latencies.append(time.perf_counter() - sent_at[tag])
                    arrived[tag].set()

    sockets, listeners = [], []
    for pair in world:
        for role in ("mentee", "mentor"):
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/conversations/{pair['conversation']}/",
                origin=origin,
                additional_headers={"Cookie": pair[f"{role}_cookie"]},
                compression=None,
            )
            sockets.append(ws)
            listeners.append(asyncio.create_task(listen(ws, role)))
    connected = len(sockets)
    await asyncio.sleep(0.5)

    lost = 0
    counter = iter(range(messages))
    groups = [world[i::senders] for i in range(senders)]

    async def sender(pairs: list[dict]):
        nonlocal lost
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for n in counter:
                pair = random.choice(pairs)
                tag = f"bench-{n}"
                arrived[tag] = asyncio.Event()
                sent_at[tag] = time.perf_counter()
                path = f"/api/v1/relationships/{pair['relationship']}/messages"
                status = await _post(reader, writer, port, path, pair["token"], {"body": tag})
                post_times.append(time.perf_counter() - sent_at[tag])
                if status != 201:
                    raise SystemExit(f"send failed with {status}")
                try:
                    await asyncio.wait_for(arrived[tag].wait(), timeout=5)
                except TimeoutError:
                    lost += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(sender(g) for g in groups if g))
    elapsed = time.perf_counter() - started
    for ws in sockets:
        await ws.close()
    for task in listeners:
        task.cancel()
    ms = sorted(1000 * x for x in latencies)

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, int(p * len(ms)))], 1) if ms else 0.0

    return {
        "clients_connected": connected,
        "messages": messages,
        "delivered": len(ms),
        "lost": lost,
        "messages_per_s": round(len(ms) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(ms[-1], 1) if ms else 0.0,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else 0.0,
        # How long the sender's POST took (the write path alone), for comparison.
        "post_p50_ms": round(1000 * statistics.median(post_times), 1) if post_times else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--pairs", type=int, default=100, help="two clients per pair")
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mh-bench-ws-"))
    env = configure(tmp, args.database_url)
    proc = None
    try:
        recreate_database(args.database_url)
        world = build_world(args.pairs)
        port = free_port()
        proc = start_server(env, port)
        asyncio.run(run(port, world, 40, 4))  # warm-up
        result = asyncio.run(run(port, world, args.messages, args.senders))
        print(
            json.dumps(
                {
                    "name": "websocket_delivery",
                    **result,
                    "senders": args.senders,
                    "target_p95_ms": TARGET_P95_MS,
                    "meets_target": result["p95_ms"] < TARGET_P95_MS and not result["lost"],
                    "machine": {
                        "python": platform.python_version(),
                        "platform": platform.platform(),
                        "cpus": os.cpu_count(),
                        "load_average_1m": round(os.getloadavg()[0], 2),
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
