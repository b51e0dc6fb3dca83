"""Every URL pattern, walked anonymously: nothing is reachable without signing in unless it is
on the PUBLIC list below.

"Guarded" means the anonymous request ends on the sign-in page or gets 401, 403, 404 or 405.
Path parameters are filled with dummy values *and* with the real identifiers of existing
objects, so a view that forgets its login check is caught even when it finds the object. New
URL patterns are covered automatically; one whose path cannot be built fails the test.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from mentorhaven.accounts.tokens import api_token_create

from .urlwalk import Param, dummy_values, endpoints, fill

pytestmark = pytest.mark.django_db

# Each entry is a URL name that anyone may reach, and why that is safe.
PUBLIC = {
    # The landing page: explains MentorHaven and links to sign-in; no personal data.
    "home",
    # The first-run page of an empty install: answers only while no organization exists (404
    # after), and then does nothing without the one-time set-up token printed on the server
    # (stored hashed, single-use, expiring, a few guesses at most).
    "setup",
    # Load balancers poll it; it answers only "ok" or "unavailable".
    "healthz",
    # Readiness for the orchestrator: each check's name and "ok"/"failing", nothing else.
    "readyz",
    # Signing in must be possible before one is signed in. (The second-factor and passkey
    # steps are not listed: without a half-finished login they send visitors back here.)
    "account_login",
    # Sign-up opens only for a visitor holding a valid invitation; otherwise it says "closed".
    "account_signup",
    # Invitation links are opened by people who have no account yet; the token in the link is
    # the credential (stored hashed, single-use, expiring). Unknown tokens get a plain 404.
    "invitation_open",
    # Password reset is for people who cannot sign in; allauth answers the same for known and
    # unknown addresses (ACCOUNT_PREVENT_ENUMERATION), and the key link is the credential.
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    # Informational pages allauth shows at the end of flows ("this account is inactive",
    # "we sent you an e-mail", confirming an address with the key from that e-mail).
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    # Single sign-on starts before one is signed in: the page asks for a work address or an
    # organization's short name and shows only that organization's "Sign in with" button.
    "sso_start",
    # allauth's "you cancelled the sign-in at your provider" page (and its older address): a
    # fixed message, nothing about anyone.
    "socialaccount_login_cancelled",
    "<unnamed accounts/social/login/cancelled/>",
    # Signing out when already signed out is harmless and lands on the home page.
    "account_logout",
    # The API's description (not its data): MentorHaven is open source, so the shape of the
    # API is public knowledge, and API clients need it before they hold a token.
    "api:openapi-json",
    "api:openapi-view",
}

GUARDED_STATUSES = {401, 403, 404, 405}


def _real_identifiers() -> dict[str, list[str]]:
    """One existing object of every kind, to put into path parameters (a view that skips its
    login check but looks the object up answers 404 for a dummy id and 200 for a real one)."""
    uuids: list[str] = []
    slugs: list[str] = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "public_id" in names:
            uuids += [str(v) for v in model.objects.values_list("public_id", flat=True)[:1]]
        if "slug" in names:
            slugs += list(model.objects.values_list("slug", flat=True)[:1])
    return {"uuid": uuids, "slug": slugs}


def _candidates(real: dict[str, list[str]]):
    def candidates(param: Param) -> list[str]:
        values = list(dummy_values(param))
        if param.kind in ("uuid", "str", "regex"):
            values += real["uuid"]
        if param.kind in ("slug", "str", "regex"):
            values += real["slug"]
        if param.kind == "int":
            values += [str(i) for i in range(1, 6)]
        return values

    return candidates


def _is_guarded(response) -> bool:
    login = reverse("account_login")
    if response.redirect_chain and response.redirect_chain[-1][0].split("?")[0] == login:
        return True
    return response.status_code in GUARDED_STATUSES


@pytest.fixture
def world(personas):
    """The personas plus one object of each other kind that has a public id."""
    api_token_create(actor=None, user=personas.cara, name="walk")
    return personas


def _walk_anonymously(route_prefix: str = "") -> tuple[list[str], list[str], int]:
    candidates = _candidates(_real_identifiers())
    unbuildable: list[str] = []
    leaks: list[str] = []
    walked = 0
    for endpoint in endpoints():
        if endpoint.name in PUBLIC or not endpoint.route.startswith(route_prefix):
            continue
        paths = list(fill(endpoint, candidates)) if not endpoint.error else []
        if not paths:
            unbuildable.append(f"{endpoint.name} ({endpoint.route}) {endpoint.error}")
        for path in paths:
            for method in ("get", "post"):
                client = Client(raise_request_exception=False)
                response = getattr(client, method)(path, follow=True)
                walked += 1
                if not _is_guarded(response):
                    leaks.append(
                        f"{method.upper()} {path} [{endpoint.name}] -> {response.status_code}"
                    )
    return unbuildable, leaks, walked


def test_every_url_needs_login_unless_public(world):
    unbuildable, leaks, walked = _walk_anonymously()
    assert not unbuildable, "could not build a path for: " + "; ".join(unbuildable)
    assert not leaks, "reachable without signing in:\n" + "\n".join(leaks)
    assert walked > 50


def test_public_list_names_only_existing_urls():
    names = {e.name for e in endpoints()}
    assert names >= PUBLIC, sorted(PUBLIC - names)


def test_walk_sees_nested_includes_and_api_routes():
    names = {e.name for e in endpoints()}
    for expected in ("dashboard", "account_tokens", "mfa_index", "api:me", "api:program_detail"):
        assert expected in names


def test_walk_catches_a_view_that_forgets_its_login_check(world, settings):
    """A view that answers only for a real program id, with no login check, added to a copy of
    the URLconf: the walk must report it (dummy ids alone would have missed it)."""
    settings.ROOT_URLCONF = "tests.security.leaky_urls"
    _unbuildable, leaks, walked = _walk_anonymously(route_prefix="leaky/")
    assert walked >= 2
    assert leaks and all("[leaky_program]" in leak and "-> 200" in leak for leak in leaks)
