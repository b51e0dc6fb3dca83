"""The sign-in e-mail goes out for a new device only: a browser family with a device cookie not
among the person's recent sign-ins. The cookie is stored nowhere but in the browser; the table
holds a keyed hash of it with the browser family. Security changes are e-mailed too."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from mentorhaven.accounts import devices
from mentorhaven.accounts.models import SignInDevice
from mentorhaven.kernel.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/141.0.0.0 Safari/537.36"
)


def _sign_in(client: Client, user, capture) -> list:
    """Sign ``user`` in on ``client`` (then out again); the sign-in e-mails sent."""
    before = len(mail.outbox)
    with capture(execute=True):
        response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    client.post("/accounts/logout/")
    return [m for m in mail.outbox[before:] if "New sign-in" in m.subject]


def test_only_a_new_device_is_told(personas, django_capture_on_commit_callbacks):
    laptop = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    assert len(_sign_in(laptop, personas.cara, django_capture_on_commit_callbacks)) == 1
    assert _sign_in(laptop, personas.cara, django_capture_on_commit_callbacks) == []
    assert _sign_in(laptop, personas.cara, django_capture_on_commit_callbacks) == []
    phone = Client(HTTP_USER_AGENT=FIREFOX_LINUX)  # same browser family, no cookie: new
    assert len(_sign_in(phone, personas.cara, django_capture_on_commit_callbacks)) == 1
    flags = AuditEvent.objects.filter(action="auth.login").order_by("id")
    assert [e.extra["new_device"] for e in flags] == [True, False, False, True]
    assert SignInDevice.objects.filter(user=personas.cara).count() == 2


def test_another_persons_device_is_new_to_me(personas, django_capture_on_commit_callbacks):
    shared = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    _sign_in(shared, personas.cara, django_capture_on_commit_callbacks)
    assert len(_sign_in(shared, personas.dev, django_capture_on_commit_callbacks)) == 1


def test_the_cookie_in_another_browser_family_is_a_new_device(
    personas, django_capture_on_commit_callbacks
):
    laptop = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    _sign_in(laptop, personas.cara, django_capture_on_commit_callbacks)
    stolen = Client(HTTP_USER_AGENT=CHROME_WINDOWS)
    stolen.cookies[settings.DEVICE_COOKIE_NAME] = laptop.cookies[settings.DEVICE_COOKIE_NAME].value
    told = _sign_in(stolen, personas.cara, django_capture_on_commit_callbacks)
    assert len(told) == 1 and "Chrome on Windows" in told[0].body


def test_a_device_unused_for_its_period_is_new_again(personas, django_capture_on_commit_callbacks):
    laptop = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    _sign_in(laptop, personas.cara, django_capture_on_commit_callbacks)
    later = timezone.now() + timedelta(days=devices.RECENT_DAYS + 1)
    with time_machine.travel(later, tick=False):
        assert len(_sign_in(laptop, personas.cara, django_capture_on_commit_callbacks)) == 1


def test_a_person_keeps_only_their_latest_devices(personas):
    for n in range(devices.RECENT_DEVICES + 5):
        devices.sign_in_device_seen(user=personas.cara, device=f"{n:064x}")
    assert SignInDevice.objects.filter(user=personas.cara).count() == devices.RECENT_DEVICES


def test_a_malformed_cookie_is_replaced_and_the_device_is_new(
    personas, django_capture_on_commit_callbacks
):
    laptop = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    laptop.cookies[settings.DEVICE_COOKIE_NAME] = "x' OR 1=1"
    assert len(_sign_in(laptop, personas.cara, django_capture_on_commit_callbacks)) == 1
    assert laptop.cookies[settings.DEVICE_COOKIE_NAME].value != "x' OR 1=1"


def test_only_a_keyed_hash_of_the_device_is_stored(personas, django_capture_on_commit_callbacks):
    laptop = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    _sign_in(laptop, personas.cara, django_capture_on_commit_callbacks)
    morsel = laptop.cookies[settings.DEVICE_COOKIE_NAME]
    assert morsel["httponly"] and morsel["samesite"] == "Lax" and int(morsel["max-age"]) > 86400
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_signindevice")
        rows = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert morsel.value not in rows and "Firefox" not in rows and "Linux" not in rows
    assert devices.device_hash(FIREFOX_LINUX, morsel.value) in rows


def test_second_factor_changes_are_emailed(client, personas, django_capture_on_commit_callbacks):
    user = personas.ana
    Authenticator.objects.filter(user=user).delete()
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "authenticator" in (mail.outbox[0].subject + mail.outbox[0].body).lower()
