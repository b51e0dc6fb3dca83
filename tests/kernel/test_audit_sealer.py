"""The audit sealer and ``mentorhaven run`` as real processes, on a SQLite site of their own.

A scratch site (its own ``var/`` directory, SQLite file, keys and anchor store) is migrated
once; the tests then start ``mentorhaven audit sealer`` and ``mentorhaven run`` as a person or
``make run`` would, record events from another process, and watch the sealer seal, sign and
anchor them. (PostgreSQL's sealer process is tested in test_audit_postgres.py.)
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.kernel.audit_helpers import wait_until

pytestmark = [
    pytest.mark.skipif(
        "sqlite" not in settings.DATABASES["default"]["ENGINE"],
        reason="the SQLite sealer; the PostgreSQL one is in test_audit_postgres.py",
    ),
    pytest.mark.xdist_group("audit-scratch-site"),
]
PROJECT = Path(__file__).resolve().parents[2]
RECORD = (
    "from django.db import transaction\n"
    "from mentorhaven.kernel import audit\n"
    "for i in range({n}):\n"
    "    with transaction.atomic():\n"
    "        audit.record(action='vault.kek_rotated', purpose='a test event', extra={{'n': i}})\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var = tmp_path_factory.mktemp("site")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "MENTORHAVEN_ENV": "test",
        "MENTORHAVEN_VAR_DIR": str(var),
        "TASK_BACKEND": "database",
        "MENTORHAVEN_AUDIT_CHECKPOINT_EVERY": "3",
        "MENTORHAVEN_AUDIT_CHECKPOINT_SECONDS": "1",
    }
    mentorhaven(env, "migrate", "--noinput")
    return var, env


def mentorhaven(env: dict, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "mentorhaven.cli", *args],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mentorhaven.cli", *args],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def rows(var: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(var / "mentorhaven.sqlite3", timeout=10) as db:
        return db.execute(sql).fetchall()


def sealed_and_signed(var: Path) -> tuple[list, list]:
    seqs = [r[0] for r in rows(var, "SELECT seq FROM kernel_auditevent ORDER BY id")]
    signed = [r[0] for r in rows(var, "SELECT seq FROM kernel_auditcheckpoint ORDER BY seq")]
    return seqs, signed


def test_the_sealer_seals_signs_and_anchors_what_another_process_records(site):
    var, env = site
    before = len(sealed_and_signed(var)[0])
    sealer = start(env, "audit", "sealer")
    try:
        assert "started" in sealer.stdout.readline()
        mentorhaven(env, "shell", "-c", RECORD.format(n=4))
        total = before + 4
        assert wait_until(lambda: sealed_and_signed(var)[0] == list(range(1, total + 1)))
        # Signed at every third event, and at the head once it has waited a second.
        assert wait_until(lambda: sealed_and_signed(var)[1][-1:] == [total])
    finally:
        sealer.send_signal(signal.SIGTERM)
        out, err = sealer.communicate(timeout=15)
    assert sealer.returncode == 0, err
    assert "audit sealer stopped" in out
    signed = sealed_and_signed(var)[1]
    assert 3 in signed
    anchored = (var / "audit-anchors" / "anchors.jsonl").read_text().splitlines()
    assert len(anchored) == len(signed)
    verified = mentorhaven(env, "audit", "verify", "--no-seal")
    assert f"audit log OK: {total} events, {len(signed)} signed checkpoints" in verified.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> dict[int, str]:
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {
        int(child): Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        for child in listed
    }


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _serving(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def test_run_starts_the_web_server_the_sealer_the_scheduler_and_the_worker_and_stops_them_all(
    site,
):
    var, env = site
    port = _free_port()
    run = start(env, "run", "--port", str(port))
    try:
        assert "started web server, audit sealer, scheduler, task worker" in run.stdout.readline()
        assert wait_until(lambda: _serving(port), timeout=30)
        children = _children(run.pid)
        kinds = sorted(
            "uvicorn"
            if "uvicorn" in c
            else "sealer"
            if "audit sealer" in c
            else "scheduler"
            if "schedule run" in c
            else "worker"
            for c in children.values()
            if c.strip().endswith(" worker")
            or "uvicorn" in c
            or "audit sealer" in c
            or "schedule run" in c
        )
        assert kinds == ["scheduler", "sealer", "uvicorn", "worker"]
        before = len(sealed_and_signed(var)[0])
        mentorhaven(env, "shell", "-c", RECORD.format(n=2))
        assert wait_until(lambda: None not in sealed_and_signed(var)[0][before:])
    finally:
        run.send_signal(signal.SIGTERM)
        run.communicate(timeout=30)
    assert run.returncode == 0
    assert not [pid for pid in children if _alive(pid)]


def test_run_stops_everything_when_one_child_dies(site):
    _var, env = site
    run = start(env, "run", "--port", str(_free_port()))
    try:
        assert "started" in run.stdout.readline()
        children = _children(run.pid)
        sealer = next(pid for pid, cmd in children.items() if "audit sealer" in cmd)
        os.kill(sealer, signal.SIGKILL)
        _out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 1
    assert "the audit sealer stopped; the others were stopped too" in err
    assert not [pid for pid in children if _alive(pid)]
