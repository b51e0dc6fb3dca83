"""Browser harness: the real ASGI app under uvicorn, driven by Debian's Chromium via Playwright.

The server runs ``mentorhaven.asgi.application`` (Channels router and all) with uvicorn in a
thread of the test process, on a free loopback port, against the test database. A thread rather
than a subprocess because the SQLite test database lives in memory: Django's sync code for every
request runs in the server thread (uvicorn is driven through ``async_to_sync``), and that thread
uses the test's own in-memory connection, as Django's LiveServerThread does. On PostgreSQL the
thread opens its own connections to the same test database.

Browser tests need committed data, so they use ``transactional_db``; they all share one xdist
group ("browser") so that ``-n 2 --dist loadgroup`` runs them on one worker, one server.

When /usr/bin/chromium is missing the tests are skipped with a loud reason, except under
``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest
from asgiref.sync import async_to_sync
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING_CHROMIUM = (
    "\n" + "#" * 72 + "\n# BROWSER TEST NOT RUN: Debian's Chromium is missing at /usr/bin/chromium."
    "\n# Install it with: sudo apt-get install chromium   (make test does this as root)\n"
    + "#"
    * 72
)

# Records every Content-Security-Policy violation the page reports, from the first script on.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
                               source: e.sourceFile, line: e.lineNumber});
});
"""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))
            # WhiteNoise hands Django a sync file iterator; under ASGI Django says so on every
            # static file. Expected here, and not what these tests are about.
            item.add_marker(
                pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous")
            )


class AsgiServer:
    """uvicorn serving the real ASGI application from a thread, on a free loopback port."""

    def __init__(self, overrides: dict):
        import uvicorn

        from mentorhaven.asgi import application

        self.overrides = overrides
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            application, lifespan="off", log_level="warning", access_log=False, loop="asyncio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, name="uvicorn-e2e", daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        # Share the test's in-memory SQLite connection with this thread (see module docstring).
        for alias, conn in self.overrides.items():
            connections[alias] = conn
        try:
            async_to_sync(self.server.serve)(sockets=[self.socket])
        except BaseException as exc:  # reported by start()/stop(), never swallowed
            self.error = exc
        finally:
            for conn in connections.all(initialized_only=True):
                if conn.alias not in self.overrides:
                    conn.close()

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if self.error or not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start: {self.error!r}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.socket.close()


def require_chromium(path: str = CHROMIUM) -> str:
    """The Chromium to drive; skips loudly when it is missing, and fails instead under CI."""
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING_CHROMIUM + "\n# CI=true: a skipped browser test fails the run.")
        pytest.skip(MISSING_CHROMIUM)
    return path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_chromium()


@pytest.fixture(scope="session")
def server_url(django_db_setup, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        overrides = {}
        for conn in connections.all():
            if conn.vendor == "sqlite" and conn.is_in_memory_db():
                conn.inc_thread_sharing()
                overrides[conn.alias] = conn
        server = AsgiServer(overrides)
        server.start()
    try:
        yield server.url
    finally:
        server.stop()
        for conn in overrides.values():
            conn.dec_thread_sharing()


@pytest.fixture(scope="module")
def browser(chromium_path, server_url):
    """Chromium for one test module. Module-scoped on purpose: while Playwright's sync API is
    alive it keeps an event loop in this thread, and Django refuses ORM calls under a running
    loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The flag is set only while the browser lives,
    so tests that run later on the same worker keep Django's guard."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class BrowserLog:
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def csp_messages(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser, server_url, browser_log):
    context = browser.new_context(base_url=server_url, viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_LISTENER)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.on("console", lambda msg: browser_log.console.append(f"{msg.type}: {msg.text}"))
    tab.on("pageerror", lambda exc: browser_log.page_errors.append(str(exc)))
    yield tab
    context.close()


@pytest.fixture
def open_tab(browser, server_url, browser_log):
    """``open_tab()`` opens a page in a new browser context of its own (cookies, storage): one
    per person when a test needs several people at once. Each logs like ``page`` does, and
    reports every CSP violation to the console too, so ``browser_log.csp_messages()`` covers
    every page the context visited, not only the current one."""
    contexts = []

    def _open():
        context = browser.new_context(base_url=server_url, viewport={"width": 1280, "height": 900})
        context.add_init_script(CSP_LISTENER)
        context.add_init_script(CSP_TO_CONSOLE)
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda msg: browser_log.console.append(f"{msg.type}: {msg.text}"))
        tab.on("pageerror", lambda exc: browser_log.page_errors.append(str(exc)))
        return tab

    yield _open
    for context in contexts:
        context.close()


# Echoes each violation to the console, where the test's log keeps it across navigations.
CSP_TO_CONSOLE = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('Content Security Policy violation: ' + e.violatedDirective + ' blocked '
                + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


def csp_violations(tab) -> list[dict]:
    return tab.evaluate("window.__cspViolations || []")


def submit(tab) -> None:
    """Press the first submit button of the page's main form."""
    tab.locator("main form[method=post] button[type=submit]").first.click()


def sign_in(tab, email: str, password: str, totp_secret: str | None = None) -> None:
    """Sign in as a person would: the login form, then the authenticator code if asked."""
    from tests.conftest import totp_code

    tab.goto("/accounts/login/")
    tab.fill("input[name=login]", email)
    tab.fill("input[name=password]", password)
    submit(tab)
    tab.wait_for_load_state("load")
    if "/accounts/2fa/authenticate" in tab.url:
        assert totp_secret, f"{email} was asked for a second factor"
        tab.fill("input[name=code]", totp_code(totp_secret))
        submit(tab)
        tab.wait_for_load_state("load")


def enrol_authenticator(tab, password: str) -> str:
    """Enrol an authenticator app as a person would (re-entering the password when asked);
    returns its secret. Admins and mentors need a second factor."""
    from playwright.sync_api import expect

    from tests.conftest import totp_code

    tab.goto("/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in tab.url:  # enrolling asks for the password again
        tab.fill("input[name=password]", password)
        submit(tab)
        tab.wait_for_load_state("load")
    expect(tab).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = tab.locator("#authenticator_secret").input_value()
    tab.fill("input[name=code]", totp_code(secret))
    submit(tab)
    tab.wait_for_load_state("load")
    return secret
