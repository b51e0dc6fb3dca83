"""People see where they are signed in, end other sessions, and a password change ends them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.test import Client
from django.utils import timezone

from mentorhaven.accounts.selectors import session_ref
from mentorhaven.accounts.sessions import stored_key
from mentorhaven.accounts.usersessions import live_sessions
from mentorhaven.kernel.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
NEW_PASSWORD = "an entirely new passphrase 99"


def signed_in(user, user_agent, password=PASSWORD) -> Client:
    c = Client(HTTP_USER_AGENT=user_agent)
    response = c.post("/accounts/login/", {"login": user.email, "password": password})
    assert response.status_code == 302
    return c


def test_user_sees_their_sessions_with_a_coarse_device(personas):
    laptop = signed_in(personas.cara, FIREFOX)
    signed_in(personas.cara, SAFARI)
    signed_in(personas.dev, FIREFOX)  # someone else's session must not show
    page = laptop.get("/accounts/sessions/")
    assert page.status_code == 200
    rows = page.context["sessions"]
    assert [r.device for r in rows] == ["Firefox on Linux", "Safari on iOS"]
    assert rows[0].is_current and not rows[1].is_current
    assert b"Gecko/20100101" not in page.content
    # The session key is a credential: the page names sessions by a digest of its hash only.
    for s in UserSession.objects.filter(user=personas.cara):
        assert s.session_key.encode() not in page.content
    assert laptop.session.session_key.encode() not in page.content


def test_user_ends_another_session(personas):
    laptop = signed_in(personas.cara, FIREFOX)
    phone = signed_in(personas.cara, SAFARI)
    phone_key = phone.session.session_key
    ref = session_ref(stored_key(phone_key))
    response = laptop.post("/accounts/sessions/end/", {"session": ref})
    assert response.status_code == 302
    assert phone.get("/dashboard/").status_code == 302  # signed out
    assert laptop.get("/dashboard/").status_code == 200
    assert AuditEvent.objects.filter(action="session.end").count() == 1


def test_nobody_ends_someone_elses_session(personas):
    cara = signed_in(personas.cara, FIREFOX)
    dev = signed_in(personas.dev, FIREFOX)
    response = cara.post(
        "/accounts/sessions/end/", {"session": session_ref(stored_key(dev.session.session_key))}
    )
    assert response.status_code == 404
    assert dev.get("/dashboard/").status_code == 200


def test_sign_out_all_other_sessions(personas):
    laptop = signed_in(personas.cara, FIREFOX)
    phones = [signed_in(personas.cara, SAFARI) for _ in range(2)]
    laptop.post("/accounts/sessions/end/", {"session": "others"})
    assert laptop.get("/dashboard/").status_code == 200
    for phone in phones:
        assert phone.get("/dashboard/").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(personas):
    laptop = signed_in(personas.cara, FIREFOX)
    phone = signed_in(personas.cara, SAFARI)
    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content[:500]
    assert laptop.get("/dashboard/").status_code == 200
    assert phone.get("/dashboard/").status_code == 302
    keys = {s.session_key for s in live_sessions(personas.cara)}
    assert keys == {stored_key(laptop.session.session_key)}
    assert AuditEvent.objects.filter(action="account.password_change").count() == 1


def test_password_change_with_mfa_keeps_the_session(personas, login):
    laptop = login(personas.ana, Client(HTTP_USER_AGENT=FIREFOX))
    # A TOTP code works once: the second device signs in one time-step later.
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=True):
        phone = login(personas.ana, Client(HTTP_USER_AGENT=SAFARI))
    # allauth asks for recent authentication; the login above counts.
    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert laptop.get("/dashboard/").status_code == 200
    assert phone.get("/dashboard/").status_code == 302


def test_password_reset_by_email_ends_every_session_and_is_audited(
    personas, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    phone = signed_in(personas.cara, SAFARI)
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post("/accounts/password/reset/", {"email": personas.cara.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body)
    response = browser.get(link.group(1))
    form_url = response["Location"] if response.status_code == 302 else link.group(1)
    response = browser.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content[:300]
    assert phone.get("/dashboard/").status_code == 302
    assert AuditEvent.objects.filter(action="account.password_reset").count() == 1
    assert signed_in(personas.cara, FIREFOX, password=NEW_PASSWORD)
