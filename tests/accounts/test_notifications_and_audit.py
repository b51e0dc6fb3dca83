"""Sign-in notices carry time and a coarse device only; security events are audited."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client

from mentorhaven.accounts.domain import device_description
from mentorhaven.kernel.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/141.0.0.0 Safari/537.36"
)


def test_new_sign_in_sends_a_notice_with_time_and_coarse_device(
    personas, django_capture_on_commit_callbacks
):
    c = Client(HTTP_USER_AGENT=CHROME_WINDOWS, REMOTE_ADDR="203.0.113.50")
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/accounts/login/", {"login": personas.cara.email, "password": PASSWORD})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [personas.cara.email]
    assert "New sign-in" in message.subject
    assert "Chrome on Windows" in message.body
    assert " UTC" in message.body
    assert "203.0.113.50" not in message.body
    assert "537.36" not in message.body
    assert PASSWORD not in message.body


def test_sign_in_with_mfa_sends_the_notice_only_once_fully_signed_in(
    personas, django_capture_on_commit_callbacks
):
    c = Client()
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/accounts/login/", {"login": personas.ana.email, "password": PASSWORD})
    assert mail.outbox == []  # password alone is not a sign-in
    secret = personas.totp_secrets[personas.ana.email]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/accounts/2fa/authenticate/", {"code": code})
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="auth.login").count() == 1


def test_failed_sign_in_sends_no_notice(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/login/", {"login": personas.cara.email, "password": "nope"})
    assert mail.outbox == []


def test_password_change_notice_has_no_ip_or_full_user_agent(
    personas, django_capture_on_commit_callbacks
):
    c = Client(HTTP_USER_AGENT=CHROME_WINDOWS, REMOTE_ADDR="203.0.113.51")
    c.post("/accounts/login/", {"login": personas.cara.email, "password": PASSWORD})
    new = "another long passphrase 2026"
    with django_capture_on_commit_callbacks(execute=True):
        c.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": new, "password2": new},
        )
    body = mail.outbox[-1].body
    assert "password" in body.lower()
    assert "203.0.113.51" not in body and "537.36" not in body
    assert "Chrome on Windows" in body


def test_mfa_enrolment_through_the_pages_is_audited(
    client, personas, django_capture_on_commit_callbacks
):
    user = personas.ana
    Authenticator.objects.filter(user=user).delete()
    before = AuditEvent.objects.filter(action="mfa.enrol").count()
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/activate/", {"code": code})
    events = AuditEvent.objects.filter(action="mfa.enrol")
    assert events.count() == before + 1
    assert events.last().extra == {"method": "totp"}


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/141.0 Mobile Safari/537.36 EdgA/141.0 Edg/141.0",
            "Edge on Android",
        ),
        ("", "Unknown device"),
        ("curl/8.5.0", "Unknown device"),
    ],
)
def test_device_description_is_coarse(agent, expected):
    assert device_description(agent) == expected
