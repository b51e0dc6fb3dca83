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
import json
import os
import secrets
import time

import pytest

from tests.web.production import PROXY, Site, free_port, request

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not (DATABASE_URL.startswith("postgres") and REDIS_URL),
    reason="production mode needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    site = Site.prepare(
        tmp_path_factory.mktemp("production"),
        DATABASE_URL,
        REDIS_URL,
        f"mh_production_{os.getpid()}",
    )
    try:
        world = json.loads(site.python("-m", "tests.web.production_world", "1").splitlines()[-1])
        ports = [free_port(), free_port()]
        site.start(ports)
        yield {"ports": ports, "procs": site.procs, **world[0]}
    finally:
        site.stop()
        site.drop()


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
            request, sender, "POST", path, production["mentee_token"], {"body": text}
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
    status, job = request(port, "POST", "/api/v1/me/export", token)
    assert status == 202
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        status, job = request(port, "GET", f"/api/v1/me/exports/{job['id']}", token)
        assert status == 200
    assert job["status"] == "ready"
    assert job["size"] > 0
