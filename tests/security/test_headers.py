"""What a production server actually sends: cookies, transport security, CSP and friends.

The responses come from a separate process started with production variables only (see
tests/security/production.py): the production settings module itself is under test, not a copy
of it made with override_settings.
"""

from __future__ import annotations

import json

import pytest

from tests.security.production import production_env, run

PERSONAL_PAGES = ("dashboard", "privacy", "security")


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    env = production_env(tmp_path_factory.mktemp("production"))
    env["EMAIL_URL"] = "memory://"  # the sign-in notice must not try to reach a real server
    result = run(["-c", "from tests.security.production import probe; probe()"], env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _headers(production, page) -> dict[str, str]:
    return {k.lower(): v for k, v in production["pages"][page]["headers"].items()}


def test_sign_in_works_in_production(production):
    assert production["pages"]["login_post"]["status"] == 302
    assert production["pages"]["dashboard"]["status"] == 200


@pytest.mark.parametrize("name", ["__Host-mh-session", "__Host-mh-csrf"])
def test_cookies_are_host_prefixed_secure_httponly_and_same_site(production, name):
    cookie = production["cookies"][name]
    assert cookie["value_set"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # __Host- cookies are only accepted by browsers with Path=/ and no Domain attribute.
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""


def test_no_cookie_goes_out_without_the_host_prefix(production):
    assert all(name.startswith("__Host-") for name in production["cookies"])


def test_plain_http_is_redirected_to_https(production):
    page = production["pages"]["plain_http"]
    assert page["status"] == 301
    assert _headers(production, "plain_http")["location"].startswith("https://")


def test_unknown_host_is_refused(production):
    assert production["pages"]["other_host"]["status"] == 400


@pytest.mark.parametrize("page", ["home", "login", "dashboard", "missing"])
def test_pages_carry_the_hardening_headers(production, page):
    headers = _headers(production, page)
    hsts = headers["strict-transport-security"]
    assert "max-age=63072000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert "geolocation=()" in headers["permissions-policy"]


@pytest.mark.parametrize("page", ["home", "login", "dashboard"])
def test_content_security_policy_forbids_inline_code_and_framing(production, page):
    csp = _headers(production, page)["content-security-policy"]
    directives = {}
    for part in csp.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"


@pytest.mark.parametrize("page", PERSONAL_PAGES)
def test_personal_pages_are_never_stored(production, page):
    assert production["pages"][page]["status"] == 200
    assert "no-store" in _headers(production, page)["cache-control"]


def test_static_files_are_cacheable_and_fingerprinted(production):
    page = production["pages"]["static"]
    assert page["status"] == 200
    headers = _headers(production, "static")
    assert "no-store" not in headers.get("cache-control", "")
    assert "max-age" in headers["cache-control"]


def test_error_page_in_production_shows_no_internals(production):
    page = production["pages"]["missing"]
    assert page["status"] == 404
    assert "<h1>Not found</h1>" in page["body"]
    for marker in ("Traceback", "URLconf", "DEBUG = True", "Django Version"):
        assert marker not in page["body"]
