"""allauth's social-account hooks for single sign-on through an organization's OpenID Connect
provider (accounts/sso.py has the rules; docs/security/sso.md the policy).

* Apps come from ``IdentityProvider`` rows, built in memory with the unwrapped secret.
* A sign-in is accepted only for an address the provider says is verified, at one of the
  organization's domains; anyone else is turned away with a page that says why.
* A new person is created on first sign-in and joins the organization as a member (just-in-time
  membership, audited). An existing account is never opened by the provider's word alone: its
  owner links the provider once from a signed-in session (allauth's "connect" process).
* Only the ID token's issuer, subject, ``amr`` and ``acr`` are kept with the link.
* Whether the provider's word counts for the second factor is decided here, once per sign-in,
  and carried by the login (``DELEGATED_ATTR``) to the second-factor stage.
"""

from __future__ import annotations

import uuid
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from mentorhaven.accounts import sso
from mentorhaven.accounts.models import IdentityProvider, User

DELEGATED_ATTR = "_mentorhaven_mfa_delegated"
IDP_ATTR = "_mentorhaven_identity_provider"


class SingleSignOnProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider, keeping only ``sso.KEPT_CLAIMS`` of each sign-in."""

    def extract_extra_data(self, data) -> dict:
        return sso.kept_claims(data)


def refused(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(
        render(request, "accounts/sso_refused.html", {"message": message}, status=403)
    )


def identity_provider_named(provider_id: str) -> IdentityProvider | None:
    public_id = sso.provider_public_id(provider_id)
    try:
        key = uuid.UUID(public_id or "")
    except ValueError:
        return None
    return (
        IdentityProvider.objects.filter(public_id=key, enabled=True)
        .select_related("organization")
        .first()
    )


def _account_exists(emails: list[str]) -> bool:
    return any(User.objects.filter(email__iexact=email).exists() for email in emails)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_providers(self, request):
        """The providers a signed-in person may link: those of their own organizations only
        (allauth's list would name every organization's provider)."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        providers = IdentityProvider.objects.filter(
            enabled=True, organization__members__user=user
        ).distinct()
        return [SingleSignOnProvider(request, app=sso.social_app_for(idp)) for idp in providers]

    def list_apps(self, request, provider=None, client_id=None):
        providers = IdentityProvider.objects.filter(enabled=True).select_related("organization")
        if provider and provider != sso.PROVIDER:
            idp = identity_provider_named(provider)
            providers = providers.filter(pk=idp.pk) if idp else providers.none()
        apps = [sso.social_app_for(idp) for idp in providers]
        return [app for app in apps if client_id is None or app.client_id == client_id]

    def get_provider(self, request, provider, client_id=None):
        app = self.get_app(request, provider=provider, client_id=client_id)
        return SingleSignOnProvider(request, app=app)

    def pre_social_login(self, request, sociallogin) -> None:
        """Turn away what the organization does not vouch for; decide the second factor."""
        idp = identity_provider_named(sociallogin.account.provider)
        if idp is None:
            raise refused(request, _("This sign-in service is not set up any more."))
        verified = [a.email for a in sociallogin.email_addresses if a.verified]
        if not any(sso.email_domain(email) in idp.domain_list() for email in verified):
            raise refused(
                request,
                _(
                    "%(provider)s did not vouch for an e-mail address at one of your "
                    "organization's domains, so it cannot sign you in here. Ask your "
                    "organization's administrator for an invitation."
                )
                % {"provider": idp.name},
            )
        connecting = sociallogin.state.get("process") == AuthProcess.CONNECT
        if not connecting and not sociallogin.is_existing and _account_exists(verified):
            # The provider's word alone never opens an existing account: the person links it
            # once from a session of their own (password and second factor), see sso.md.
            raise refused(
                request,
                _(
                    "You already have a MentorHaven account. Sign in with your password, then "
                    "link %(provider)s under Account security → Sign-in links; from then on "
                    "you can sign in with it."
                )
                % {"provider": idp.name},
            )
        id_token = (sociallogin.account.extra_data or {}).get("id_token") or {}
        delegated = idp.second_factor == IdentityProvider.SecondFactor.DELEGATED_TRUSTED or (
            idp.second_factor == IdentityProvider.SecondFactor.DELEGATED_CLAIM
            and sso.second_factor_shown(id_token, idp.mfa_claim_list())
        )
        setattr(sociallogin, DELEGATED_ATTR, delegated)
        setattr(sociallogin, IDP_ATTR, idp)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # pre_social_login has already refused any address outside the organization's domains.
        return getattr(sociallogin, IDP_ATTR, None) is not None

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return self.is_open_for_signup(request, sociallogin)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = (data.get("name") or "").strip()
        if not name:
            name = f"{data.get('first_name') or ''} {data.get('last_name') or ''}".strip()
        user.display_name = name[:150]
        user.email = (user.email or "").lower()
        return user

    def save_user(self, request, sociallogin, form=None):
        """The new account and its just-in-time membership, in one transaction."""
        from mentorhaven.accounts.services import sso_member_join

        idp = getattr(sociallogin, IDP_ATTR)
        user = super().save_user(request, sociallogin, form)
        sso_member_join(user=user, identity_provider=idp)
        return user


class SingleSignOnAwareAuthenticateStage(AuthenticateStage):
    """allauth's second-factor step at sign-in, skipped only for a sign-in through a provider
    whose organization delegated the second factor to it and whose ID token showed one."""

    def _should_handle(self, request: HttpRequest) -> bool:
        signal_kwargs: dict[str, Any] = getattr(self.login, "signal_kwargs", None) or {}
        sociallogin = signal_kwargs.get("sociallogin")
        if sociallogin is not None and getattr(sociallogin, DELEGATED_ATTR, False):
            return False
        return super()._should_handle(request)
