"""Faults in production mode, on this machine's PostgreSQL and a Redis server the test starts
itself (never the machine's shared one): the processes are the deployed ones
(tests/web/production.py), and each fault is a SIGKILL of a real process. Marked slow: each
brings a production site up (1-4 minutes on a shared machine). They run in the PostgreSQL leg of
``make test`` (CI); alone, select them with ``-m slow`` and ``DATABASE_URL=postgres://...``.

* A task worker killed in the middle of building a data export: the export is left "being
  prepared"; when a worker comes back it queues the export again (its build lease on
  PostgreSQL died with the killed process), and the export finishes and verifies.
* The audit sealer killed while events keep arriving, with a stand-by sealer running beside it
  all along: afterwards no event is pending, the sequence has no gap and no repeat, and
  ``mentorhaven audit verify`` recomputes the whole chain (two sealers never fork it).
* The retention sweep killed half-way through its batches: what it had not reached is intact,
  and the next run deletes the rest and records one complete sweep.
* Redis killed under a running site: pages, sign-in and the API keep answering (the cache falls
  back to memory; with Django's plain Redis cache the home page answered 500), messages sent
  while it is away are all in the conversation (what the page polls), and after Redis returns
  sending works again.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.web.production import CLI, PROJECT_DIR, PROXY, Site, free_port, request

DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = [
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgres"), reason="the fault tests need PostgreSQL"
    ),
    pytest.mark.skipif(
        not Path("/usr/bin/redis-server").exists(), reason="the fault tests start redis-server"
    ),
    pytest.mark.postgres,
    pytest.mark.xdist_group("faults"),
]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    return found


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a process and everything it started (an RQ worker forks a work horse per task),
    as a machine that loses power would: no handler runs."""
    pids, queue = [], [proc.pid]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        queue += _children(pid)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _sql(site: Site, query: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(site.database_url, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def _wait_for(condition, seconds: float, step: float = 0.02):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return None


class RedisServer:
    """A redis-server of the test's own on a free port, which the test may kill and start again
    (never the machine's shared Redis)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.port = tmp, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen(
            ["/usr/bin/redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port)
        assert _wait_for(lambda: _ping(client), 10, 0.1), "redis-server did not start"

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            kill_tree(self.proc)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _ping(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


@pytest.fixture
def site(tmp_path, redis_server):
    site = Site.prepare(tmp_path, DATABASE_URL, redis_server.url, f"mh_faults_{os.getpid()}")
    extra: list[subprocess.Popen] = []
    try:
        yield site, extra
    finally:
        for proc in extra:
            if proc.poll() is None:
                proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=15)
        site.stop()
        site.drop()


def _start(site: Site, *command: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *CLI, *command], env=site.env, cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def _world(site: Site, *args: str) -> dict:
    return json.loads(site.python("-m", "tests.operations.fault_world", *args).splitlines()[-1])


def _export_state(site: Site, job: int) -> tuple[str, int]:
    rows = _sql(site, "SELECT status, progress FROM privacy_exportjob WHERE id = %s", (job,))
    return rows[0]


@pytest.mark.slow
def test_a_worker_killed_mid_export_leaves_nothing_lost_once_a_worker_returns(site):
    site, extra = site
    world = _world(site, "export")  # queued; no worker runs yet
    worker = _start(site, "worker")
    extra.append(worker)
    assert _wait_for(lambda: _export_state(site, world["job"])[0] == "running", 120)
    kill_tree(worker)
    status, progress = _export_state(site, world["job"])
    assert (status, progress < 100) == ("running", True), "the build was not cut short"
    time.sleep(1)
    assert _export_state(site, world["job"])[0] == "running"  # stranded, nobody builds it

    extra.append(_start(site, "worker"))  # a worker comes back
    assert _wait_for(lambda: _export_state(site, world["job"])[0] == "ready", 180, 0.2)
    checked = _world(site, "verify-export", str(world["job"]))
    assert checked == {"status": "ready", "verified": True, "messages": world["messages"]}
    resumed = _sql(site, "SELECT count(*) FROM kernel_auditevent WHERE action = 'export.resume'")
    assert resumed[0][0] == 1


@pytest.mark.slow
def test_a_killed_sealer_leaves_no_event_unsealed_and_two_sealers_never_fork_the_chain(site):
    site, extra = site
    first, standby = _start(site, "audit", "sealer"), _start(site, "audit", "sealer")
    extra += [first, standby]
    burst = subprocess.Popen(
        [sys.executable, "-m", "tests.operations.fault_world", "audit-burst", "1500"],
        env=site.env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Both sealers are at work on a growing log; one dies without warning half-way.
    assert _wait_for(
        lambda: (
            _sql(site, "SELECT count(*) FROM kernel_auditevent WHERE seq IS NOT NULL")[0][0] > 300
        ),
        120,
    )
    kill_tree(first)
    out, _ = burst.communicate(timeout=300)
    assert json.loads(out.splitlines()[-1]) == {"recorded": 1500}
    # The stand-by seals the rest; then the killed one returns and both run again.
    extra.append(_start(site, "audit", "sealer"))

    def all_sealed() -> bool:
        return _sql(site, "SELECT count(*) FROM kernel_auditevent WHERE seq IS NULL")[0][0] == 0

    assert _wait_for(all_sealed, 60, 0.1)
    total, distinct, lowest, highest = _sql(
        site, "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM kernel_auditevent"
    )[0]
    assert total >= 1500
    assert distinct == total and (lowest, highest) == (1, total)  # no gap, no repeat
    forks = _sql(
        site,
        "SELECT count(*) FROM kernel_auditevent a JOIN kernel_auditevent b "
        "ON a.prev_hash = b.prev_hash AND a.id < b.id",
    )
    assert forks[0][0] == 0  # no two events chained onto the same predecessor
    verified = subprocess.run(
        [sys.executable, *CLI, "audit", "verify", "--no-seal"], env=site.env, cwd=PROJECT_DIR,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr


@pytest.mark.slow
def test_a_sweep_killed_mid_batch_loses_nothing_and_the_next_run_finishes_it(site):
    site, extra = site
    world = _world(site, "retention", "60000")
    total = world["due"] + 100

    def messages() -> int:
        return _sql(site, "SELECT count(*) FROM messaging_message")[0][0]

    assert messages() == total
    sweep = _start(site, "retention", "sweep", "--batch-size", "500")
    extra.append(sweep)
    assert _wait_for(lambda: messages() <= total - 5_000, 300, 0.05)
    kill_tree(sweep)
    left = messages()
    assert 100 < left < total  # cut short half-way
    # Nothing the sweep had not reached is lost, nothing half-deleted: the active conversation
    # is whole, and the killed run never recorded a finished sweep.
    kept = "SELECT count(*) FROM messaging_message WHERE conversation_id = %s"
    assert _sql(site, kept, (world["conversation"],))[0][0] == 100
    assert (
        _sql(site, "SELECT count(*) FROM kernel_auditevent WHERE action = 'retention.sweep'")[0][0]
        == 0
    )

    site.python(*CLI, "retention", "sweep")  # the next run (the daily job, or by hand)
    assert messages() == 100
    assert _sql(site, kept, (world["conversation"],))[0][0] == 100
    runs = _sql(
        site,
        "SELECT extra FROM kernel_auditevent WHERE action = 'retention.sweep'",
    )
    assert len(runs) == 1 and json.loads(runs[0][0])["complete"] is True  # a text column


def _get(port: int, path: str, cookie: str) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={**PROXY, "Host": "127.0.0.1", "Cookie": cookie})
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.slow
def test_redis_going_away_keeps_pages_working_and_loses_no_message(site, redis_server):
    site, _extra = site
    world = json.loads(site.python("-m", "tests.web.production_world", "1").splitlines()[-1])[0]
    port = free_port()
    site.start([port])
    messages = f"/api/v1/relationships/{world['relationship']}/messages"
    sent_before = request(port, "POST", messages, world["mentee_token"], {"body": "before"})
    assert sent_before[0] == 201

    redis_server.kill()
    # Pages, sign-in and the API still answer (cache and rate limits fall back to memory).
    for path in ("/", "/dashboard/", "/accounts/security/"):
        assert _get(port, path, world["mentee_cookie"]) in (200, 302), path
    assert _get(port, "/accounts/login/", "") == 200
    during = [
        request(port, "POST", messages, world["mentee_token"], {"body": f"during {n}"})
        for n in range(3)
    ]
    assert [status for status, _ in during] == [201, 201, 201]
    # Real time is down; reading the conversation (what the page polls) shows every message.
    status, listed = request(port, "GET", messages, world["mentor_token"])
    assert status == 200
    bodies = [item["body"] for item in listed["items"]]
    assert {"before", "during 0", "during 1", "during 2"} <= set(bodies)

    redis_server.start()
    sent_after = request(port, "POST", messages, world["mentee_token"], {"body": "after"})
    assert sent_after[0] == 201
    status, listed = request(port, "GET", messages, world["mentor_token"])
    assert {"before", "during 0", "during 1", "during 2", "after"} <= {
        item["body"] for item in listed["items"]
    }
