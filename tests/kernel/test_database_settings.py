"""SQLite, however it is configured, gets the same connection settings: secure deletion, WAL,
NORMAL syncs, IMMEDIATE transactions and a busy timeout, so concurrent writers queue instead of
failing with "database is locked"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.PROJECT_DIR)

PRAGMAS_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    found = {}
    for name in ("journal_mode", "synchronous", "secure_delete", "foreign_keys", "busy_timeout"):
        cursor.execute(f"PRAGMA {name}")
        found[name] = cursor.fetchone()[0]
found["transaction_mode"] = settings.DATABASES["default"]["OPTIONS"].get("transaction_mode")
found["engine"] = settings.DATABASES["default"]["ENGINE"]
print(json.dumps(found))
"""

WRITERS_SCRIPT = """
import json, sys, threading, time, django
django.setup()
from django.conf import settings
from django.db import connection, connections, transaction
if sys.argv[1] == "deferred":  # the control: what DATABASE_URL=sqlite:// used to give
    settings.DATABASES["default"]["OPTIONS"].pop("transaction_mode", None)
    settings.DATABASES["default"]["OPTIONS"]["timeout"] = 5
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS sends (n INTEGER)")
connection.close()
failures, barrier = [], threading.Barrier(8)

def writer():
    barrier.wait()
    for _ in range(6):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM sends")  # read, then write
                    time.sleep(0.01)
                    cursor.execute("INSERT INTO sends (n) VALUES (1)")
        except Exception as exc:
            failures.append(type(exc).__name__)
    connections.close_all()

threads = [threading.Thread(target=writer) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM sends")
    rows = cursor.fetchone()[0]
print(json.dumps({"failures": len(failures), "rows": rows}))
"""


def _run(script: str, tmp_path: Path, database_url: str | None, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MENTORHAVEN_VAR_DIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="mentorhaven.settings",
        MENTORHAVEN_ENV="development",
        MENTORHAVEN_VAR_DIR=str(tmp_path / "var"),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_default_file_and_a_sqlite_url_give_the_same_connections(tmp_path):
    default = _run(PRAGMAS_SCRIPT, tmp_path, None)
    from_url = _run(PRAGMAS_SCRIPT, tmp_path, f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert default == from_url
    assert default == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "secure_delete": 1,
        "foreign_keys": 1,
        "busy_timeout": 20000,
        "transaction_mode": "IMMEDIATE",
        "engine": "django.db.backends.sqlite3",
    }


def test_concurrent_writers_through_a_sqlite_url_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'writers.sqlite3'}"
    assert _run(WRITERS_SCRIPT, tmp_path, url, "configured") == {"failures": 0, "rows": 48}


def test_without_immediate_transactions_the_same_writers_fail(tmp_path):
    """The control: the test above would notice if the URL lost its settings again."""
    url = f"sqlite:///{tmp_path / 'control.sqlite3'}"
    assert _run(WRITERS_SCRIPT, tmp_path, url, "deferred")["failures"] > 0


@pytest.mark.django_db
def test_the_test_database_deletes_securely_too():
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
