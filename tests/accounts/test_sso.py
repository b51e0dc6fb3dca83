"""Single sign-on against a real OpenID Connect provider started by the test.

The provider is allauth's identity-provider app (``allauth.idp.oidc``) running as a Django site
of its own (tests/accounts/oidc_provider/) in a subprocess on 127.0.0.1, with its own SQLite
database and signing key. MentorHaven runs as pytest-django's live server on ``localhost`` (so
the two sites' cookies stay apart). A ``requests`` session plays the browser: every step of the
authorization-code flow goes over HTTP — MentorHaven reads the provider's discovery document,
sends the browser to its authorization endpoint, the person signs in at the provider, and
MentorHaven's callback exchanges the code at the token endpoint and reads the userinfo endpoint.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mentorhaven.accounts import sso
from mentorhaven.accounts.models import ApiToken, IdentityProvider, User
from mentorhaven.accounts.services import identity_provider_configure
from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.programs.models import OrgMembership
from tests.conftest import PASSWORD, make_personas, totp_code
from tests.web.production import free_port

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROVIDER_ID = uuid.UUID("5e1f0c1d-0000-4000-8000-00000000a550")
CLIENT_ID = "mentorhaven-test"
CLIENT_SECRET = secrets.token_urlsafe(32)
PROVIDER_PASSWORD = "provider password 7"

# The provider's people: Ana and Ben are MentorHaven mentors (second factor required there); the
# provider reports a second factor for Ana only. Nia is new to MentorHaven; Sam is not at one of
# Demo Org's domains.
PEOPLE = [
    {"email": "ana.mentor@demo.test", "mfa": True},
    {"email": "ben.mentor@demo.test", "mfa": False},
    {"email": "nia.new@demo.test", "mfa": False},
    {"email": "sam@elsewhere.test", "mfa": False},
]

pytestmark = pytest.mark.django_db(transaction=True)


def _run(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, *args], env=env, cwd=PROJECT_DIR, check=True,
                          capture_output=True, text=True, timeout=120).stdout  # fmt: skip


@pytest.fixture(scope="module")
def provider(tmp_path_factory, live_server):
    """The OpenID provider, serving at ``http://127.0.0.1:PORT`` until the module ends."""
    tmp = tmp_path_factory.mktemp("oidc_provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MENTORHAVEN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.accounts.oidc_provider.settings",
        OIDC_PROVIDER_SECRET_KEY=secrets.token_urlsafe(40),
        OIDC_PROVIDER_DB=str(tmp / "provider.sqlite3"),
        OIDC_PROVIDER_KEY_FILE=str(tmp / "key.pem"),
        PYTHONPATH=str(PROJECT_DIR),
    )
    callback = f"{live_server.url}/accounts/oidc/org-{PROVIDER_ID.hex}/login/callback/"
    spec = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [callback],
        "post_logout_redirect_uris": [f"{live_server.url}/accounts/login/"],
        "people": [{**p, "password": PROVIDER_PASSWORD} for p in PEOPLE],
    }
    _run(env, "-m", "django", "migrate", "--noinput", "-v", "0")
    out = _run(env, "-m", "tests.accounts.oidc_provider.populate", json.dumps(spec))
    subjects = json.loads(out.strip().splitlines()[-1])
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the OpenID provider did not start")
            time.sleep(0.2)
        yield {"issuer": issuer, "subjects": subjects}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def site(provider, live_server):
    people = make_personas()
    return {"people": people, "url": live_server.url, **provider}


def link(site, user: User) -> None:
    """The link its owner would have made from a signed-in session (the connect test shows
    that flow once)."""
    SocialAccount.objects.create(
        user=user, provider=f"org-{PROVIDER_ID.hex}", uid=site["subjects"][user.email]
    )


def configure(site, *, second_factor=IdentityProvider.SecondFactor.OURS, claims=()):
    idp = identity_provider_configure(
        actor=site["people"].org_admin,
        organization=site["people"].org,
        name="Demo Org Login",
        issuer=site["issuer"],
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        domains=["demo.test"],
        second_factor=second_factor,
        accepted_mfa_claims=claims,
    )
    # The provider registered the callback of this fixed id (the test's own shortcut); the
    # secret is wrapped again, bound to that id.
    IdentityProvider.objects.filter(pk=idp.pk).update(public_id=PROVIDER_ID)
    idp.public_id = PROVIDER_ID
    sso.secret_wrap(idp, CLIENT_SECRET)
    idp.save()
    return idp


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _form_action(page: str, button_text: str) -> str:
    for form in re.findall(r"<form[^>]*>.*?</form>", page, re.S):
        if button_text in form:
            return html.unescape(re.search(r'action="([^"]+)"', form).group(1))
    raise AssertionError(f"no form with {button_text!r}")


def sso_sign_in(site, email: str) -> tuple[requests.Session, requests.Response]:
    """A browser: MentorHaven's "sign in with your organization", the provider's sign-in form,
    back to MentorHaven's callback. Returns the browser and MentorHaven's last answer."""
    browser = requests.Session()
    start = browser.get(f"{site['url']}/accounts/sso/", params={"org": "demo-org"}, timeout=10)
    assert start.status_code == 200
    assert "Sign in with Demo Org Login" in start.text
    login_url = site["url"] + _form_action(start.text, "Sign in with Demo Org Login")
    at_provider = browser.post(
        login_url,
        data={"csrfmiddlewaretoken": _csrf(start.text)},
        headers={"Referer": start.url},
        timeout=10,
    )
    # Discovery and authorization happened: the browser is on the provider's sign-in form.
    assert at_provider.url.startswith(site["issuer"] + "/accounts/login/"), at_provider.url
    assert "/identity/o/authorize" in requests.utils.unquote(at_provider.url)
    back = browser.post(
        at_provider.url,
        data={
            "csrfmiddlewaretoken": _csrf(at_provider.text),
            "login": email,
            "password": PROVIDER_PASSWORD,
        },
        headers={"Referer": at_provider.url},
        allow_redirects=False,
        timeout=10,
    )
    # The provider's authorization endpoint sends the code to MentorHaven's callback.
    for _hop in range(5):
        location = back.headers.get("Location", "")
        if back.status_code != 302 or location.startswith(site["url"]):
            break
        back = browser.get(requests.compat.urljoin(back.url, location), allow_redirects=False)
    location = back.headers["Location"]
    assert location.startswith(f"{site['url']}/accounts/oidc/org-{PROVIDER_ID.hex}/login/callback/")
    assert "code=" in location
    done = browser.get(location, allow_redirects=False, timeout=20)
    return browser, done


def _signed_in_as(browser: requests.Session, site) -> str | None:
    page = browser.get(f"{site['url']}/accounts/profile/", allow_redirects=False, timeout=10)
    if page.status_code != 200:
        return None
    return page.text


def test_the_client_secret_is_not_stored_as_text_and_allauths_app_table_stays_empty(site):
    idp = configure(site)
    idp.refresh_from_db()
    assert CLIENT_SECRET.encode() not in bytes(idp.wrapped_key)
    assert SocialApp.objects.count() == 0
    event = AuditEvent.objects.filter(action="sso.configure").get()
    assert CLIENT_SECRET not in json.dumps(event.extra)


def test_a_new_person_at_the_organizations_domain_joins_on_first_sign_in(site):
    configure(site)
    browser, done = sso_sign_in(site, "nia.new@demo.test")
    assert done.status_code == 302
    nia = User.objects.get(email="nia.new@demo.test")
    assert OrgMembership.objects.filter(
        organization=site["people"].org, user=nia, role=OrgMembership.Role.MEMBER
    ).exists()
    assert not OrgMembership.objects.filter(user=nia).exclude(role="member").exists()
    assert AuditEvent.objects.filter(action="sso.member_join").count() == 1
    assert _signed_in_as(browser, site) is not None
    # Only who she is at the provider and how she signed in are kept; no provider token.
    link = SocialAccount.objects.get(user=nia)
    assert set(link.extra_data["id_token"]) <= {"iss", "sub", "amr", "acr"}
    assert "nia" not in json.dumps(link.extra_data)
    assert SocialToken.objects.count() == 0


def test_someone_outside_the_organizations_domains_is_refused_with_a_reason(site):
    configure(site)
    browser, done = sso_sign_in(site, "sam@elsewhere.test")
    assert done.status_code == 403
    assert "did not vouch for an e-mail address at one of your organization" in html.unescape(
        done.text
    )
    assert not User.objects.filter(email="sam@elsewhere.test").exists()
    assert _signed_in_as(browser, site) is None


def test_the_second_factor_policy_still_applies_to_a_provider_sign_in(site):
    configure(site)  # not delegated: MentorHaven asks for its own second factor
    link(site, site["people"].ana)
    browser, done = sso_sign_in(site, "ana.mentor@demo.test")  # the provider did MFA
    assert done.headers["Location"].endswith("/accounts/2fa/authenticate/")
    assert _signed_in_as(browser, site) is None
    page = browser.get(site["url"] + done.headers["Location"], timeout=10)
    secret = site["people"].totp_secrets["ana.mentor@demo.test"]
    entered = browser.post(
        page.url,
        data={"csrfmiddlewaretoken": _csrf(page.text), "code": totp_code(secret)},
        allow_redirects=False,
        timeout=10,
    )
    assert entered.status_code == 302
    assert _signed_in_as(browser, site) is not None


def test_a_delegated_second_factor_needs_the_providers_claim(site):
    configure(site, second_factor=IdentityProvider.SecondFactor.DELEGATED_CLAIM, claims=["mfa"])
    link(site, site["people"].ana)
    link(site, site["people"].ben)
    # The provider reports amr ["pwd", "mfa"] for Ana: no second prompt here.
    ana, done = sso_sign_in(site, "ana.mentor@demo.test")
    assert done.status_code == 302
    assert "/accounts/2fa/authenticate/" not in done.headers["Location"]
    assert _signed_in_as(ana, site) is not None
    # Ben signed in at the provider with a password only: MentorHaven's own factor is asked.
    ben, done = sso_sign_in(site, "ben.mentor@demo.test")
    assert done.headers["Location"].endswith("/accounts/2fa/authenticate/")
    assert _signed_in_as(ben, site) is None


def test_signing_out_ends_every_session_and_token_and_the_providers_session(site):
    configure(site, second_factor=IdentityProvider.SecondFactor.DELEGATED_TRUSTED)
    ana = site["people"].ana
    link(site, ana)
    elsewhere, _ = sso_sign_in(site, "ana.mentor@demo.test")
    browser, _ = sso_sign_in(site, "ana.mentor@demo.test")
    assert _signed_in_as(elsewhere, site) is not None
    _, token = api_token_create(actor=ana, user=ana, name="laptop")
    assert ApiToken.objects.get(user=ana).is_usable

    page = browser.get(f"{site['url']}/accounts/logout/", timeout=10)
    out = browser.post(
        page.url,
        data={"csrfmiddlewaretoken": _csrf(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    # On to the provider's end-session endpoint: without an ID token to show (MentorHaven keeps
    # none) the provider asks the person, as RP-initiated logout requires; she says yes, and
    # is sent back to MentorHaven's sign-in page.
    assert out.status_code == 302
    assert out.headers["Location"].startswith(site["issuer"] + "/identity/o/logout")
    ask = browser.get(out.headers["Location"], timeout=10)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', ask.text))
    back = browser.post(
        ask.url.split("?")[0],
        data={**{k: html.unescape(v) for k, v in fields.items()}, "action": "logout"},
        headers={"Referer": ask.url},
        timeout=10,
    )
    assert back.url.startswith(f"{site['url']}/accounts/login/")

    assert _signed_in_as(browser, site) is None
    assert _signed_in_as(elsewhere, site) is None  # the other session ended too
    assert not ApiToken.objects.get(user=ana).is_usable
    api = requests.get(
        f"{site['url']}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert api.status_code == 401
    # The provider's session is gone: signing in again asks for the password there.
    again = browser.get(f"{site['url']}/accounts/sso/", params={"org": "demo-org"}, timeout=10)
    login_url = site["url"] + _form_action(again.text, "Sign in with Demo Org Login")
    at_provider = browser.post(
        login_url, data={"csrfmiddlewaretoken": _csrf(again.text)}, timeout=10
    )
    assert at_provider.url.startswith(site["issuer"] + "/accounts/login/")


def test_an_existing_account_is_not_opened_by_the_providers_word_alone(site):
    configure(site)
    browser, done = sso_sign_in(site, "ben.mentor@demo.test")
    assert done.status_code == 403
    assert "You already have a MentorHaven account" in html.unescape(done.text)
    assert _signed_in_as(browser, site) is None
    ben = User.objects.get(pk=site["people"].ben.pk)
    assert ben.has_usable_password()
    assert not SocialAccount.objects.filter(user=ben).exists()


def _password_sign_in(site, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{site['url']}/accounts/login/", timeout=10)
    step = browser.post(
        page.url,
        data={"csrfmiddlewaretoken": _csrf(page.text), "login": email, "password": PASSWORD},
        timeout=10,
    )
    assert step.url.endswith("/accounts/2fa/authenticate/")
    secret = site["people"].totp_secrets[email]
    browser.post(
        step.url,
        data={"csrfmiddlewaretoken": _csrf(step.text), "code": totp_code(secret)},
        timeout=10,
    )
    assert _signed_in_as(browser, site) is not None
    return browser


def test_the_owner_links_the_provider_from_a_signed_in_session_then_signs_in_with_it(site):
    configure(site, second_factor=IdentityProvider.SecondFactor.DELEGATED_CLAIM, claims=["mfa"])
    ben = site["people"].ben
    browser = _password_sign_in(site, ben.email)
    start = browser.get(f"{site['url']}/accounts/sso/", timeout=10)
    assert 'name="process" value="connect"' not in start.text  # the lookup form first
    start = browser.get(f"{site['url']}/accounts/sso/", params={"org": "demo-org"}, timeout=10)
    assert 'name="process" value="connect"' in start.text
    at_provider = browser.post(
        site["url"] + _form_action(start.text, "Sign in with Demo Org Login"),
        data={"csrfmiddlewaretoken": _csrf(start.text), "process": "connect"},
        timeout=10,
    )
    linked = browser.post(
        at_provider.url,
        data={
            "csrfmiddlewaretoken": _csrf(at_provider.text),
            "login": ben.email,
            "password": PROVIDER_PASSWORD,
        },
        timeout=20,
    )
    assert linked.url.startswith(f"{site['url']}/accounts/3rdparty/")
    assert SocialAccount.objects.filter(user=ben).count() == 1
    # From now on the provider signs Ben in (his token shows only a password: our code asked).
    _, done = sso_sign_in(site, ben.email)
    assert done.headers["Location"].endswith("/accounts/2fa/authenticate/")
