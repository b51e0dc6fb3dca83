"""Peak server memory while hostile pictures are uploaded at once, through uvicorn on loopback.

    MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_hostile_uploads.py [--uploads 8]

The attack: small JPEGs (about 1 MB) whose header declares 7740 x 7740 pixels (60 million), which
would decode to 180 MB each and twice that while being turned upright; sent all at once by
signed-in people (any account could). What it does, self-contained:

1. Makes a throw-away ``var/`` dir (SQLite database, master key, file store), migrates it and
   creates ``--uploads`` people, each with a write API token — each upload comes from a
   different person, so the per-person limit of two uploads at once does not help: only the
   pixel budget and the process's two decoding turns stand between them and the memory.
2. Starts uvicorn (one worker, DEBUG off) with the real ASGI app.
3. Round "hostile": every person posts the 7740 x 7740 JPEG to ``POST /api/v1/files`` at the same
   moment. Round "at the budget": every person posts a picture just under the pixel budget
   (6300 x 6300), which is decoded, cleaned and stored, at the same moment.
4. Reads the server's peak resident memory (VmHWM in /proc) before and after each round.

Prints one JSON line: the answers each round got, the server's resident memory at rest and its
peak (target: peak below 1024 MiB; without the bounds the hostile round took 4.45 GB).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

TARGET_PEAK_MIB = 1024
HOSTILE_SIDE = 7740  # 59.9 million pixels: what the penetration test sent
BUDGET_SIDE = 6300  # 39.7 million pixels: just under the pixel budget, so it is decoded


def configure(tmp: Path) -> dict[str, str]:
    """One environment for this process and the server (same keys, same SQLite file)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORHAVEN_", "DJANGO_"))}
    for name in ("REDIS_URL", "DATABASE_URL"):
        env.pop(name, None)
    env.update(
        {
            "MENTORHAVEN_ENV": "development",
            "MENTORHAVEN_DEBUG": "false",
            "MENTORHAVEN_VAR_DIR": str(tmp / "var"),
            "DJANGO_SETTINGS_MODULE": "mentorhaven.settings",
            "PYTHONPATH": str(PROJECT_DIR),
            "MENTORHAVEN_LOG_LEVEL": "WARNING",
            "TASK_BACKEND": "immediate",
            "EMAIL_URL": "console://",
        }
    )
    os.environ.clear()
    os.environ.update(env)
    return env


def build_people(count: int) -> list[str]:
    """``count`` people of one organization, each with a write token; returns the secrets."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    # The token notices stay in memory here: this process prints one JSON line and nothing else.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    from mentorhaven.accounts.models import User
    from mentorhaven.accounts.tokens import api_token_create
    from mentorhaven.programs.models import Organization, OrgMembership

    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench", slug="bench-uploads")
    secrets = []
    for i in range(count):
        person = User.objects.create_user(email=f"p{i}@uploads.bench", display_name=f"P{i}")
        OrgMembership.objects.create(organization=org, user=person)
        _token, secret = api_token_create(actor=None, user=person, name="b", scope="write")
        secrets.append(secret)
    connections.close_all()
    return secrets


def jpeg(side: int, *, target_bytes: int = 1 << 20) -> bytes:
    """A JPEG of ``side`` x ``side`` pixels of blocky noise, about ``target_bytes`` long."""
    from PIL import Image

    tile = Image.effect_noise((side // 16, side // 16), 64).convert("RGB")
    picture = tile.resize((side, side), Image.Resampling.NEAREST)
    best = b""
    for quality in (30, 20, 12, 8, 5, 3):
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=quality)
        best = out.getvalue()
        if len(best) <= target_bytes * 1.3:
            break
    picture.close()
    return best


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
        env=env,
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


def memory_mib(pid: int) -> dict[str, float]:
    """The process's resident memory now (VmRSS) and its peak so far (VmHWM), in MiB."""
    values = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = round(int(value.split()[0]) / 1024, 1)
    return values


def upload(port: int, secret: str, data: bytes, name: str) -> tuple[int, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request(
        "POST",
        "/api/v1/files",
        body=body,
        headers={
            "Authorization": f"Bearer {secret}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    response = conn.getresponse()
    payload = response.read()
    code = ""
    with contextlib.suppress(ValueError, AttributeError):
        code = json.loads(payload).get("code", "")
    return response.status, code


def round_at_once(port: int, secrets: list[str], data: bytes) -> dict:
    start = threading.Barrier(len(secrets))
    answers: list[str] = []

    def one(secret: str) -> None:
        start.wait()
        status, code = upload(port, secret, data, "photo.jpg")
        answers.append(f"{status} {code}".strip())

    threads = [threading.Thread(target=one, args=(s,)) for s in secrets]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"answers": dict(Counter(answers)), "seconds": round(time.perf_counter() - began, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=8, help="pictures sent at once")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mh-bench-uploads-"))
    env = configure(tmp)
    proc = None
    try:
        secrets = build_people(args.uploads)
        hostile = jpeg(HOSTILE_SIDE)
        at_budget = jpeg(BUDGET_SIDE)
        port = free_port()
        proc = start_server(env, port)
        upload(port, secrets[0], jpeg(64, target_bytes=4096), "warm-up.jpg")  # load the code
        at_rest = memory_mib(proc.pid)
        hostile_round = round_at_once(port, secrets, hostile)
        after_hostile = memory_mib(proc.pid)
        budget_round = round_at_once(port, secrets, at_budget)
        after_budget = memory_mib(proc.pid)
        peak = after_budget["VmHWM"]
        print(
            json.dumps(
                {
                    "name": "hostile_uploads",
                    "uploads_at_once": args.uploads,
                    "hostile": {
                        "pixels": f"{HOSTILE_SIDE}x{HOSTILE_SIDE}",
                        "jpeg_bytes": len(hostile),
                        **hostile_round,
                        "server_peak_rss_mib": after_hostile["VmHWM"],
                    },
                    "at_budget": {
                        "pixels": f"{BUDGET_SIDE}x{BUDGET_SIDE}",
                        "jpeg_bytes": len(at_budget),
                        **budget_round,
                        "server_peak_rss_mib": peak,
                    },
                    "server_rss_at_rest_mib": at_rest["VmRSS"],
                    "server_peak_rss_mib": peak,
                    "target_peak_mib": TARGET_PEAK_MIB,
                    "meets_target": peak < TARGET_PEAK_MIB,
                    "machine": {
                        "python": platform.python_version(),
                        "platform": platform.platform(),
                        "cpus": os.cpu_count(),
                        "load_average_1m": round(os.getloadavg()[0], 2),
                    },
                }
            ),
            flush=True,
        )
    finally:
        if proc is not None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
            if proc.poll() is None:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
