"""Accessibility and strict CSP in a real browser: axe-core on the main pages, keyboard use.

axe-core runs through Playwright's evaluate (the DevTools protocol), so injecting it does not
need the page's CSP to allow inline script: the page is tested exactly as served.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

BLOCKING = {"serious", "critical"}
PUBLIC_PAGES = ["/", "/accounts/login/"]
# /accounts/2fa/ is allauth's page in our layout and form elements.
SIGNED_IN_PAGES = ["/dashboard/", "/accounts/security/", "/privacy/", "/accounts/2fa/"]


def _blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def _check(page, browser_log, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert _blocking_violations(page) == [], path
    assert csp_violations(page) == [], path
    assert browser_log.csp_messages() == [], path
    assert browser_log.page_errors == [], path


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_serious_accessibility_or_csp_problems(page, browser_log, db, path):
    _check(page, browser_log, path)


@pytest.mark.parametrize("who", ["cara", "ana", "org_admin"])
def test_signed_in_pages_have_no_serious_accessibility_or_csp_problems(
    page, browser_log, personas, who
):
    user = getattr(personas, who)
    sign_in(page, user.email, PASSWORD, personas.totp_secrets.get(user.email))
    for path in SIGNED_IN_PAGES:
        _check(page, browser_log, path)


def test_second_factor_page_has_no_serious_accessibility_or_csp_problems(
    page, browser_log, personas
):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", personas.ana.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert _blocking_violations(page) == []
    assert csp_violations(page) == []
    assert browser_log.csp_messages() == []


def test_an_inline_script_would_be_reported(page, browser_log, db):
    """The CSP listener works: a script injected into the page is blocked and recorded."""
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert csp_violations(page)[0]["directive"].startswith("script-src")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, personas):
    sign_in(page, personas.cara.email, PASSWORD)
    page.goto("/dashboard/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    assert page.locator(".skip-link").is_visible()  # visible when focused, for sighted users
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("who", ["cara", "org_admin"])
def test_dashboard_works_on_a_phone_sized_screen(page, browser_log, personas, who):
    user = getattr(personas, who)
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, user.email, PASSWORD, personas.totp_secrets.get(user.email))
    _check(page, browser_log, "/dashboard/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert page.get_by_role("navigation", name="Main").is_visible()
