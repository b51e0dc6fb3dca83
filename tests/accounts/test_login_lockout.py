"""Repeated wrong passwords lock the account (and the address) out; the right one is refused too."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mentorhaven.kernel.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED_TEXT = b"Too many failed login attempts"


def attempt(client, email, password, ip="203.0.113.7"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account(client, personas):
    for _ in range(5):
        response = attempt(client, personas.cara.email, "wrong password 123")
        assert response.status_code == 200
        assert LOCKED_TEXT not in response.content
    response = attempt(client, personas.cara.email, "wrong password 123")
    assert response.status_code == 200
    assert LOCKED_TEXT in response.content


def test_the_right_password_is_refused_during_lockout(client, personas):
    for _ in range(5):
        attempt(client, personas.cara.email, "wrong password 123")
    response = attempt(client, personas.cara.email, PASSWORD)
    assert response.status_code == 200
    assert LOCKED_TEXT in response.content
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/").status_code == 302


def test_lockout_follows_the_account_across_addresses(client, personas):
    for i in range(5):
        attempt(client, personas.cara.email, "wrong password 123", ip=f"198.51.100.{i}")
    response = attempt(client, personas.cara.email, PASSWORD, ip="192.0.2.99")
    assert LOCKED_TEXT in response.content


def test_one_address_trying_many_accounts_is_throttled(client, personas):
    for i in range(10):
        attempt(client, f"nobody{i}@example.test", "wrong password 123")
    response = attempt(client, personas.dev.email, PASSWORD)
    assert response.status_code == 200
    assert LOCKED_TEXT in response.content
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_its_window(client, personas):
    for _ in range(5):
        attempt(client, personas.cara.email, "wrong password 123")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = attempt(client, personas.cara.email, PASSWORD)
    assert response.status_code == 302


def test_failures_and_lockout_are_audited_without_the_password(client, personas):
    for _ in range(6):
        attempt(client, personas.cara.email, "wrong password 123")
    failed = AuditEvent.objects.filter(action="auth.login_failed")
    locked = AuditEvent.objects.filter(action="auth.login_locked")
    assert failed.count() == 5
    assert locked.count() == 1
    for event in AuditEvent.objects.all():
        dump = str(event.__dict__)
        assert "wrong password" not in dump
        assert personas.cara.email not in dump
    assert failed.first().subject  # the person is named, by pseudonym


def test_successful_login_is_audited(client, personas):
    attempt(client, personas.cara.email, PASSWORD)
    assert AuditEvent.objects.filter(action="auth.login").count() == 1


def test_a_flood_of_sign_in_posts_gets_429_not_a_crash(client, personas):
    statuses = {attempt(client, f"flood{i}@example.test", "x").status_code for i in range(35)}
    assert 429 in statuses
    assert 500 not in statuses
