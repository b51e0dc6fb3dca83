"""The OpenAPI document and the docs page, which must live with our strict CSP."""

from __future__ import annotations

import re
import shutil

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/me", "/api/v1/programs", "/api/v1/programs/{public_id}/memberships"):
        assert path in paths


def test_openapi_document_declares_both_authentication_methods(client):
    schemes = client.get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    kinds = {(s["type"], s.get("scheme", s.get("in"))) for s in schemes.values()}
    assert kinds == {("http", "bearer"), ("apiKey", "cookie")}


def test_docs_page_has_no_inline_script_and_loads_local_assets_only(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        # Either a same-origin file, or inert JSON data the browser never executes.
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.browser
def test_docs_page_renders_in_chromium_without_csp_violations(live_server):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's Chromium is needed for browser tests (make browser)"
    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        page = browser.new_page()
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{live_server.url}/api/v1/docs")
        page.get_by_text("/api/v1/programs/{public_id}/memberships").first.wait_for(timeout=15_000)
        browser.close()
    assert violations == []


def test_no_two_schemas_share_a_name():
    # The OpenAPI document names each schema by its class name: two classes with one name would
    # leave one component describing both, and answers of the other would break the document.
    from ninja import Schema

    import mentorhaven.api  # noqa: F401  (every router and its schemas)

    seen: dict[str, str] = {}
    duplicates = []
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith("mentorhaven."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if seen.setdefault(cls.__name__, where) != where:
            duplicates.append((seen[cls.__name__], where))
    assert not duplicates
