"""Single sign-on through an organization's OpenID Connect provider: the pieces allauth's
social-account machinery is given (accounts/social_adapter.py).

* The client secret is wrapped by the vault's master key (KEK), bound to the provider row's
  public id and the key version: ``secret_wrap`` / ``secret_unwrap``. The database never holds
  it as text; ``keys rotate`` re-wraps it (``OBJECT_KEYS``).
* ``social_app_for`` builds allauth's ``SocialApp`` for one provider in memory; allauth's own
  table of apps stays empty.
* ``second_factor_shown`` is the rule for a delegated second factor: the ID token's ``amr``
  (RFC 8176) or ``acr`` carries one of the values the organization accepts.
* The session of a sign-in through a provider remembers which provider and whether the provider
  vouched for the second factor (``SESSION_KEY``): the second-factor gate reads it, and sign-out
  ends every session of the person and, when asked, the provider's session too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.views.decorators.debug import sensitive_variables

from mentorhaven.kernel import vault

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialApp

    from mentorhaven.accounts.models import IdentityProvider

PROVIDER = "openid_connect"  # allauth's provider class
PROVIDER_ID_PREFIX = "org-"
SESSION_KEY = "mentorhaven_sso"
# Only these claims of a sign-in are kept with the person's link to the provider: who they are
# there and how they proved it. Names and addresses are not copied out of the ID token.
KEPT_CLAIMS = ("iss", "sub", "amr", "acr")


@sensitive_variables()
def secret_wrap(idp: IdentityProvider, secret: str) -> None:
    """Wrap ``secret`` into ``idp`` under the current master key version (the caller saves)."""
    version = vault.key_provider().current_version()
    idp.wrapped_key = vault.wrap_data_key(
        str(idp.public_id), secret.encode("utf-8"), version, purpose=vault.SSO_CLIENT_SECRET
    )
    idp.kek_version = version


@sensitive_variables()
def secret_unwrap(idp: IdentityProvider) -> str:
    return vault.unwrap_data_key(
        str(idp.public_id), idp.wrapped_key, idp.kek_version, purpose=vault.SSO_CLIENT_SECRET
    ).decode("utf-8")


def discovery_url(issuer: str) -> str:
    issuer = issuer.rstrip("/")
    if "/.well-known/" in issuer:
        return issuer
    return f"{issuer}/.well-known/openid-configuration"


def provider_unreachable(exception: BaseException) -> bool:
    """Whether ``exception`` is a call to a sign-in provider that failed (allauth fetches the
    provider's configuration and tokens with ``requests``): the edge answers it with a clear
    page instead of a server error (``web.edge``)."""
    import requests

    return isinstance(exception, requests.RequestException)


def social_app_for(idp: IdentityProvider) -> SocialApp:
    """allauth's app for ``idp``, built in memory (never saved)."""
    from allauth.socialaccount.models import SocialApp

    return SocialApp(
        provider=PROVIDER,
        provider_id=idp.provider_id,
        name=idp.name,
        client_id=idp.client_id,
        secret=secret_unwrap(idp),
        settings={
            "server_url": discovery_url(idp.issuer),
            # Never: an existing account is linked by its owner, signed in (social_adapter).
            "email_authentication": False,
            "oauth_pkce_enabled": True,
        },
    )


def provider_public_id(provider_id: str) -> str | None:
    if not provider_id.startswith(PROVIDER_ID_PREFIX):
        return None
    return provider_id[len(PROVIDER_ID_PREFIX) :]


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def kept_claims(data: Mapping[str, Any]) -> dict[str, Any]:
    """What is stored of a sign-in's claims: the ID token's ``KEPT_CLAIMS`` only."""
    id_token = data.get("id_token") or {}
    return {"id_token": {k: id_token[k] for k in KEPT_CLAIMS if k in id_token}}


def _values(claim: Any) -> set[str]:
    if isinstance(claim, str):
        return {claim}
    if isinstance(claim, Iterable):
        return {str(v) for v in claim}
    return set()


def second_factor_shown(id_token: Mapping[str, Any], accepted: Iterable[str]) -> bool:
    """Whether the ID token says the provider checked a second factor: its ``amr`` list or its
    ``acr`` holds one of the ``accepted`` values."""
    wanted = {a for a in accepted if a}
    shown = _values(id_token.get("amr")) | _values(id_token.get("acr"))
    return bool(wanted & shown)


def session_state(request: Any) -> dict[str, Any] | None:
    """The sign-on state of the request's session (``None`` for a password sign-in)."""
    session = getattr(request, "session", None)
    state = session.get(SESSION_KEY) if session is not None else None
    return state if isinstance(state, dict) else None


def second_factor_delegated(request: Any) -> bool:
    state = session_state(request)
    return bool(state and state.get("mfa_delegated"))


def provider_sign_out_url(request: Any, state: Mapping[str, Any]) -> str | None:
    """Where to send a person signing out so that the provider ends its session too: the
    provider's ``end_session_endpoint`` (OpenID Connect RP-initiated logout) with our client id
    and the sign-in page as the way back. ``None`` when the organization did not ask for it, the
    provider has no such endpoint or cannot be reached (MentorHaven's sign-out has happened
    anyway)."""
    import requests
    from allauth.socialaccount.adapter import get_adapter
    from django.urls import reverse
    from django.utils.http import urlencode

    from mentorhaven.accounts.models import IdentityProvider

    public_id = state.get("idp")
    if not isinstance(public_id, str):
        return None
    idp = IdentityProvider.objects.filter(public_id=public_id, enabled=True).first()
    if idp is None or not idp.end_provider_session:
        return None
    try:
        with get_adapter(request).get_requests_session() as session:
            response = session.get(discovery_url(idp.issuer))
            response.raise_for_status()
            endpoint = response.json().get("end_session_endpoint")
    except (requests.RequestException, ValueError):
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    back = request.build_absolute_uri(reverse("account_login"))
    query = urlencode({"client_id": idp.client_id, "post_logout_redirect_uri": back})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
