"""``/metrics``: Prometheus text behind a bearer token; no person or object in any label."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from mentorhaven.kernel import audit
from mentorhaven.operations import views
from tests.factories import RelationshipFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789abcdef"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def _scrape(client, token: str = TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def test_metrics_do_not_exist_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = None
    assert client.get("/metrics").status_code == 404
    assert _scrape(client, "anything").status_code == 404


def test_a_missing_or_wrong_token_is_refused(client, token):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _scrape(client, TOKEN[:-1]).status_code == 401
    assert _scrape(client, TOKEN + "x").status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert b"mentorhaven_" not in response.content


def test_the_token_is_compared_in_constant_time(client, token, monkeypatch):
    compared = []
    original = views.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(views.hmac, "compare_digest", spy)
    assert _scrape(client, "wrong").status_code == 401
    assert compared == [(b"wrong", TOKEN.encode())]


def test_the_token_may_come_from_a_file(tmp_path, monkeypatch):
    from mentorhaven import settings as configured

    path = tmp_path / "metrics.token"
    path.write_text(TOKEN + "\n")
    monkeypatch.setenv("MENTORHAVEN_METRICS_TOKEN_FILE", str(path))
    assert configured.env("MENTORHAVEN_METRICS_TOKEN") == TOKEN


def test_the_right_token_gets_request_queue_and_sealer_metrics(client, token, settings):
    settings.TASK_BACKEND = "database"
    client.get("/healthz")
    with transaction.atomic():
        audit.record(action="test.event", purpose="waits for the sealer")
    response = _scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert re.search(
        r'mentorhaven_http_requests_total\{method="GET",route="healthz",status="200"\} \d', text
    )
    assert "mentorhaven_http_request_duration_seconds_bucket{" in text
    assert 'mentorhaven_task_queue_depth{status="ready"} 0.0' in text
    assert re.search(r"^mentorhaven_audit_pending_events [1-9]", text, re.M)
    assert "mentorhaven_audit_sealer_lag_seconds " in text
    assert 'mentorhaven_audit_sealer_state{state="keeping_up"} 1.0' in text
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        text = _scrape(client).content.decode()
    assert 'mentorhaven_audit_sealer_state{state="lagging"} 1.0' in text
    lag = float(re.search(r"^mentorhaven_audit_sealer_lag_seconds (\S+)", text, re.M).group(1))
    assert lag >= 299


def test_labels_name_routes_never_people_or_objects(client, token, login, personas):
    relationship = RelationshipFactory(
        program=personas.program, mentor=personas.ana, mentee=personas.cara
    )
    login(personas.cara)
    client.get(f"/relationships/{relationship.public_id}/")
    client.get(f"/files/{relationship.public_id}/")
    client.get(f"/no-such-page/{personas.cara.email}/{relationship.public_id}")
    client.get(f"/accounts/password/reset/key/{relationship.public_id}-set-password/")
    client.get("/relationships/calendar/secret-feed-token.ics")
    client.generic("PROPFIND", "/healthz")
    text = _scrape(client).content.decode()
    assert 'route="relationship_detail"' in text
    assert 'route="unmatched"' in text
    assert 'method="other"' in text
    labels = " ".join(re.findall(r"\{[^}]*\}", text))
    assert not UUID.search(labels), labels
    assert not EMAIL.search(labels), labels
    assert "secret-feed-token" not in text
    assert str(relationship.public_id) not in text and personas.cara.email not in text


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/14").ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_the_queue_depth_counts_rq_tasks_waiting_in_redis(
    client, token, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import django_rq
    import django_rq.settings

    settings.TASK_BACKEND = "rq"
    # django-rq reads its queues once, at import: point them at a scratch Redis database.
    queues = {"default": {"URL": "redis://127.0.0.1:6379/14", "DEFAULT_TIMEOUT": 60}}
    monkeypatch.setattr(django_rq.settings, "QUEUES", queues)
    queue = django_rq.get_queue("default")
    queue.empty()
    try:
        with django_capture_on_commit_callbacks(execute=True):  # jobs go to Redis at commit
            for _ in range(3):  # never run: nothing works on this queue during the test
                queue.enqueue("mentorhaven.kernel.tasks.audit_checkpoint")
        text = _scrape(client).content.decode()
        assert 'mentorhaven_task_queue_depth{status="ready"} 3.0' in text
    finally:
        queue.empty()
