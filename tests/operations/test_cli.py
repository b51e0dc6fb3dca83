"""The ``mentorhaven`` console script as an operator meets it when the database is not there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MENTORHAVEN_ENV": "test", "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "mentorhaven.cli", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_database_that_cannot_be_opened_is_one_clear_message_not_a_traceback(tmp_path):
    missing = f"sqlite:///{tmp_path}/no/such/folder/mentorhaven.sqlite3"
    result = _cli("audit", "verify", database_url=missing)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "mentorhaven: the database could not be used: unable to open database file" in (
        result.stderr
    )
    assert "Check DATABASE_URL" in result.stderr


def test_traceback_on_request_still_shows_where_it_failed(tmp_path):
    missing = f"sqlite:///{tmp_path}/no/such/folder/mentorhaven.sqlite3"
    result = _cli("migrate", "--traceback", database_url=missing)
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "OperationalError" in result.stderr
