"""``/healthz`` (liveness) and ``/readyz`` (readiness): JSON for machines, nothing about anyone."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from mentorhaven.kernel import audit
from mentorhaven.kernel.models import AuditEvent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _no_secrets(body: str) -> None:
    assert "@" not in body
    assert not UUID.search(body)
    assert "Traceback" not in body
    assert "postgres://" not in body and "redis://" not in body and "/" not in body


def test_healthz_says_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_check_and_is_ready(client, settings, personas):
    settings.REDIS_URL = None
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "keys": "ok", "audit_sealer": "ok"},
    }
    _no_secrets(response.content.decode())


def test_readyz_checks_redis_when_it_is_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert client.get("/readyz").json()["checks"]["redis"] == "ok"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "failing"
    _no_secrets(response.content.decode())


def test_readyz_is_503_when_a_key_file_cannot_be_read(client, settings, tmp_path):
    settings.REDIS_URL = None
    unreadable = tmp_path / "signing.key"
    unreadable.write_text("x")
    unreadable.chmod(0)
    settings.AUDIT_SIGNING_KEY_FILE = str(unreadable)
    settings.PRODUCTION = True
    if os.access(unreadable, os.R_OK):  # root reads anything: take a missing file instead
        settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "missing.key")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["keys"] == "failing"
    assert str(tmp_path) not in response.content.decode()


def test_readyz_is_503_when_the_sealer_lags(client, settings):
    settings.REDIS_URL = None
    with transaction.atomic():
        audit.record(action="test.event", purpose="a pending event")
    assert AuditEvent.objects.filter(seq__isnull=True).exists()
    assert client.get("/readyz").status_code == 200  # just written: within the bound
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["audit_sealer"] == "failing"
    assert response.json()["checks"]["database"] == "ok"
    audit.seal()
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert client.get("/readyz").status_code == 200  # sealed: nothing waits any more


def test_readyz_is_503_when_the_database_fails(client, settings, monkeypatch):
    settings.REDIS_URL = None

    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at db.internal failed: password secret")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "failing"
    assert body["checks"]["audit_sealer"] == "failing"
    assert "secret" not in response.content.decode() and "db.internal" not in str(body)


def test_readyz_is_503_when_no_database_answers_at_all(tmp_path):
    """A real process pointed at a port where no database listens."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "MENTORHAVEN_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "mentorhaven.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing_here",
        "MENTORHAVEN_VAR_DIR": str(tmp_path),
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    status, body = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["checks"]["database"] == "failing"
    _no_secrets(json.dumps(body))


def test_probes_pass_the_sign_in_gates_and_write_no_audit_event(client, login, personas):
    login(personas.ana)  # signed in, second factor done, agreement not necessarily accepted
    before = AuditEvent.objects.count()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)
    assert client.get("/readyz")["Content-Type"] == "application/json"
    assert AuditEvent.objects.count() == before


def test_probes_answer_get_only(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
