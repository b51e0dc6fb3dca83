"""The org admins' single sign-on settings page and the sign-in page's provider lookup."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentorhaven.accounts.models import IdentityProvider
from mentorhaven.accounts.sso import second_factor_shown, secret_unwrap
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.kernel.vault import VaultError

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Demo Login",
    "issuer": "https://login.demo.test/",
    "client_id": "mh",
    "client_secret": "s3cret-value-from-the-provider",
    "domains": "demo.test\nDemo.Example",
    "second_factor": "claim",
    "accepted_mfa_claims": "mfa\nhwk",
    "end_provider_session": "on",
    "enabled": "on",
}


def _url(personas) -> str:
    return reverse("sso_settings", kwargs={"org_id": personas.org.public_id})


def test_an_org_admin_sets_up_the_provider_and_it_is_audited(client, personas):
    client.force_login(personas.org_admin)
    response = client.post(_url(personas), FORM)
    assert response.status_code == 302
    idp = IdentityProvider.objects.get(organization=personas.org)
    assert idp.issuer == "https://login.demo.test"
    assert idp.domain_list() == ["demo.example", "demo.test"]
    assert secret_unwrap(idp) == FORM["client_secret"]
    assert FORM["client_secret"].encode() not in bytes(idp.wrapped_key)
    event = AuditEvent.objects.get(action="sso.configure")
    assert event.extra["secret_changed"] is True
    # Saving again without a secret keeps the stored one.
    client.post(_url(personas), {**FORM, "client_secret": ""})
    idp.refresh_from_db()
    assert secret_unwrap(idp) == FORM["client_secret"]
    assert AuditEvent.objects.filter(action="sso.configure").count() == 2


@pytest.mark.parametrize("who", ["coordinator", "ana", "cara", "auditor", "outsider"])
def test_anyone_but_the_orgs_admins_gets_404(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(_url(personas)).status_code == 404
    assert client.post(_url(personas), FORM).status_code == 404
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issuer", "http://login.demo.test"),  # not https
        ("domains", "not a domain"),
        ("accepted_mfa_claims", ""),  # a delegated claim with no accepted value
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_saved(client, personas, field, value):
    client.force_login(personas.org_admin)
    response = client.post(_url(personas), {**FORM, field: value})
    assert response.status_code == 200
    assert not IdentityProvider.objects.exists()
    assert not AuditEvent.objects.filter(action="sso.configure").exists()


def test_a_secret_wrapped_for_one_provider_does_not_unwrap_for_another(client, personas):
    import uuid

    client.force_login(personas.org_admin)
    client.post(_url(personas), FORM)
    idp = IdentityProvider.objects.get()
    idp.public_id = uuid.uuid4()
    with pytest.raises(VaultError):
        secret_unwrap(idp)


def test_the_sign_in_page_finds_the_provider_by_address_or_short_name(client, personas):
    client.force_login(personas.org_admin)
    client.post(_url(personas), FORM)
    client.logout()
    by_mail = client.post(reverse("sso_start"), {"who": "someone@DEMO.test"})
    assert "Sign in with Demo Login" in by_mail.content.decode()
    by_slug = client.get(reverse("sso_start"), {"org": "demo-org"})
    assert "Sign in with Demo Login" in by_slug.content.decode()
    unknown = client.post(reverse("sso_start"), {"who": "someone@other.test"})
    assert "No single sign-on is set up" in unknown.content.decode()
    assert client.get(reverse("sso_start"), {"org": "other-org"}).status_code == 200


def test_the_second_factor_claim_rule():
    assert second_factor_shown({"amr": ["pwd", "mfa"]}, ["mfa"])
    assert second_factor_shown(
        {"acr": "urn:mace:incommon:iap:silver"}, ["urn:mace:incommon:iap:silver"]
    )
    assert not second_factor_shown({"amr": ["pwd"]}, ["mfa"])
    assert not second_factor_shown({}, ["mfa"])
    assert not second_factor_shown({"amr": ["mfa"]}, [])


def test_a_domain_claimed_by_another_organization_is_refused(client, personas):
    from mentorhaven.accounts.services import identity_provider_configure, mfa_enroll_totp
    from mentorhaven.programs.models import OrgMembership

    identity_provider_configure(
        actor=personas.org_admin,
        organization=personas.org,
        name="Demo Login",
        issuer="https://login.demo.test",
        client_id="mh",
        client_secret="x" * 20,
        domains=["demo.test"],
        second_factor="ours",
    )
    OrgMembership.objects.create(
        organization=personas.other_org, user=personas.outsider, role="org_admin"
    )
    mfa_enroll_totp(user=personas.outsider)
    client.force_login(personas.outsider)
    url = reverse("sso_settings", kwargs={"org_id": personas.other_org.public_id})
    response = client.post(url, {**FORM, "domains": "other.test\ndemo.test"})
    assert "already claimed by another organization" in response.content.decode()
    assert IdentityProvider.objects.count() == 1


def test_a_provider_that_cannot_be_reached_gets_a_clear_page_not_a_server_error(client, personas):
    """Starting a sign-in fetches the provider's configuration; when nothing answers at the
    issuer (the provider is down, or mistyped), the person is told so with a way back."""
    client.force_login(personas.org_admin)
    client.post(_url(personas), {**FORM, "issuer": "http://127.0.0.1:9"})  # nothing listens
    client.logout()
    idp = IdentityProvider.objects.get(organization=personas.org)
    response = client.post(f"/accounts/oidc/{idp.provider_id}/login/")
    assert response.status_code == 502
    page = response.content.decode()
    assert "sign-in service could not be reached" in page
    assert "Traceback" not in page and "127.0.0.1" not in page
