"""Every sign-in, enrolment and session page works under our strict CSP: no inline code."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DATA_SCRIPT_TYPES = {"application/json"}


class InlineCodeFinder(HTMLParser):
    """Collects anything a browser would refuse under ``script-src 'self'; style-src 'self'``."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            src = attributes.get("src")
            if src:
                self.scripts.append(src)
                if "://" in src or src.startswith("//"):
                    self.problems.append(f"script from another origin: {src}")
            elif attributes.get("type") not in DATA_SCRIPT_TYPES:
                self._in_inline_script = True

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(response) -> InlineCodeFinder:
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    return finder


def assert_strict_page(response):
    assert response.status_code == 200, response.get("Location")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    finder = inline_code(response)
    assert finder.problems == []
    return finder


def test_the_finder_catches_inline_code():
    """The checker itself: it must flag what the browser would block."""

    class Fake:
        content = (
            b'<div style="x"><script>alert(1)</script><button onclick="f()">'
            b"<style>p{}</style></div>"
        )

    assert len(inline_code(Fake).problems) == 4


def test_sign_in_pages_have_no_inline_code(client, personas):
    finder = assert_strict_page(client.get("/accounts/login/"))
    assert any(src.endswith("mfa/js/webauthn.js") for src in finder.scripts)
    assert_strict_page(client.get("/accounts/password/reset/"))
    client.post("/accounts/login/", {"login": personas.ana.email, "password": PASSWORD})
    finder = assert_strict_page(client.get("/accounts/2fa/authenticate/"))
    assert any(src.endswith("mfa/js/webauthn.js") for src in finder.scripts)


def test_enrolment_pages_have_no_inline_code(client, personas):
    user = personas.ana
    Authenticator.objects.filter(user=user).delete()
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert_strict_page(client.get("/accounts/2fa/"))
    page = client.get("/accounts/2fa/totp/activate/")
    assert_strict_page(page)
    assert b"data:image/svg+xml" in page.content  # the QR code is an image, allowed by img-src
    finder = assert_strict_page(client.get("/accounts/2fa/webauthn/add/"))
    assert any(src.endswith("mfa/js/webauthn.js") for src in finder.scripts)


def test_account_pages_have_no_inline_code(client, personas, login):
    login(personas.ana)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    for path in (
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/webauthn/",
        "/accounts/sessions/",
        "/accounts/password/change/",
        "/accounts/security/",
        "/accounts/profile/",
    ):
        assert_strict_page(client.get(path))


def test_reauthentication_page_has_no_inline_code(client, personas, login):
    login(personas.ana)
    assert_strict_page(client.get("/accounts/reauthenticate/"))


def test_webauthn_scripts_are_served(client):
    for path in (
        "/static/mfa/js/webauthn.js",
        "/static/mfa/js/webauthn-json.js",
        "/static/account/js/onload.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path


def test_invitation_and_sign_up_pages_have_no_inline_code(
    client, personas, login, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    from mentorhaven.programs.services import invitation_create

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.org,
            email="csp@example.test",
            program=personas.program,
            program_role="mentee",
        )
    token = re.search(r"/accounts/invitation/([\w-]+)/", mail.outbox[-1].body).group(1)
    client.get(f"/accounts/invitation/{token}/")
    assert_strict_page(client.get("/accounts/signup/"))
    other = client_class_for(client)
    assert_strict_page(other.get("/accounts/signup/"))  # the "closed" page
    login(personas.org_admin)
    org = personas.org.public_id
    assert_strict_page(client.get(f"/programs/o/{org}/invitations/"))
    assert_strict_page(client.get(f"/programs/o/{org}/invitations/bulk/"))


def client_class_for(client):
    return type(client)()
