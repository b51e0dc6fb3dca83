"""Writes about accounts: profile, password, sessions, second factors, sign-in records.

Audit events carry identifiers only: never a password, a typed address or a User-Agent.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts import sso
from mentorhaven.accounts.devices import sign_in_device_seen
from mentorhaven.accounts.domain import is_time_zone
from mentorhaven.accounts.mfa_adapter import secrets_of
from mentorhaven.accounts.models import IdentityProvider, User
from mentorhaven.accounts.realtime import sockets_recheck_on_commit
from mentorhaven.accounts.sessions import stored_key
from mentorhaven.accounts.tokens import api_tokens_revoke_all
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.programs.models import Organization

AUDIT_PURPOSE_SECURITY = "account security"


@transaction.atomic
def mfa_enroll_totp(*, user: User, secret: str | None = None) -> str:
    """Enrol an authenticator app for ``user`` (used by the demo and by tests); returns the secret.

    People enrol themselves through the allauth pages; this exists so that the demo personas work
    for a newcomer without a phone (``mentorhaven demo totp EMAIL`` prints the current code).
    """
    secret = secret or generate_totp_secret()
    with secrets_of(user):
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
    mfa_event_record(user=user, action="mfa.enrol", method="totp")
    return secret


def mfa_event_record(*, user: User, action: str, method: str) -> None:
    """Record a second-factor change made through allauth's pages (enrol, remove, new codes)."""
    audit.record(
        action=action,
        actor=user,
        target=user,
        subject=user,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"method": method},
    )


@transaction.atomic
def user_profile_update(
    *, actor: User, user: User, display_name: str, time_zone: str | None = None
) -> User:
    """Change how a person is shown to others, and the zone they see times in. Only the person
    themselves may do it. A zone is a name from the IANA list; anything else is refused."""
    if actor.pk != user.pk:
        raise NotFound()
    changed: list[str] = []
    display_name = display_name.strip()[:150]
    if display_name != user.display_name:
        user.display_name = display_name
        changed.append("display_name")
    if time_zone is not None and time_zone != user.time_zone:
        if not is_time_zone(time_zone):
            raise ValidationFailed(_("Choose a time zone from the list."), code="bad_time_zone")
        user.time_zone = time_zone
        changed.append("time_zone")
    if changed:
        user.save(update_fields=changed)
        audit.record(
            action="account.profile_update",
            actor=actor,
            target=user,
            subject=user,
            purpose="keep the profile current",
            extra={"fields": changed},
        )
    return user


@transaction.atomic
def email_change_start(*, actor: User, request, form) -> None:
    """Start changing the sign-in address through allauth's e-mail change flow
    (``ACCOUNT_CHANGE_EMAIL``): the new address gets a confirmation link and replaces the old
    one only once confirmed; until then the old one stays the sign-in address, and the old
    address is told when the change completes. ``form`` is allauth's validated AddEmailForm."""
    from allauth.account.models import EmailAddress

    # The address the invitation proved becomes allauth's (verified, primary) record, so that
    # the confirmed new address replaces it rather than sitting beside it.
    EmailAddress.objects.get_or_create(
        user=actor, email=actor.email.lower(), defaults={"primary": True, "verified": True}
    )
    form.save(request)
    audit.record(
        action="account.email_change_start",
        actor=actor,
        target=actor,
        subject=actor,
        purpose="change the sign-in address (confirmed by e-mail)",
    )


@transaction.atomic
def password_change(*, actor: User | None, user: User, password: str, request=None) -> None:
    """Set a new password, end every other session of ``user`` and revoke their API tokens.

    The session making the change (if any) stays signed in; Django re-keys it right after, so
    a socket opened under the old key closes too. ``actor`` is ``None`` for a reset by
    e-mailed link.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    current_key = getattr(getattr(request, "session", None), "session_key", None)
    current = stored_key(current_key) if current_key else None
    others = [s for s in UserSession.objects.filter(user=user) if s.session_key != current]
    get_usersessions_adapter().end_sessions(others)
    api_tokens_revoke_all(actor=actor, user=user, reason="password_change")
    sockets_recheck_on_commit(user)
    audit.record(
        action="account.password_change" if actor is not None else "account.password_reset",
        actor=actor,
        target=user,
        subject=user,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"sessions_ended": len(others)},
    )


@transaction.atomic
def session_end(*, actor: User, session: UserSession) -> None:
    """End one of the actor's own sessions (the access check is ``access_user_session``)."""
    if session.user_id != actor.pk:
        raise NotFound()
    get_usersessions_adapter().end_sessions([session])
    audit.record(
        action="session.end",
        actor=actor,
        target=actor,
        subject=actor,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"count": 1},
    )


@transaction.atomic
def sessions_end_others(*, actor: User, current_session_key: str | None) -> int:
    """End every other session of the actor and revoke their API tokens: "sign out
    everywhere else" must not leave a token working for whoever held one of those sessions."""
    current = stored_key(current_session_key) if current_session_key else None
    others = [s for s in UserSession.objects.filter(user=actor) if s.session_key != current]
    get_usersessions_adapter().end_sessions(others)
    api_tokens_revoke_all(actor=actor, user=actor, reason="sessions_ended")
    if others:
        audit.record(
            action="session.end",
            actor=actor,
            target=actor,
            subject=actor,
            purpose=AUDIT_PURPOSE_SECURITY,
            extra={"count": len(others)},
        )
    return len(others)


@transaction.atomic
def login_succeeded_record(*, user: User, signup: bool, device: str | None = None) -> bool:
    """A completed sign-in, from ``device`` (``devices.device_hash``) when known. Returns
    whether the device is new to the person (not among their recent sign-ins): then they are
    told by e-mail (AccountAdapter.post_login). Without a device, every sign-in counts as new."""
    new_device = sign_in_device_seen(user=user, device=device) if device else True
    audit.record(
        action="auth.login",
        actor=user,
        target=user,
        subject=user,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"signup": signup, "new_device": new_device},
    )
    return new_device


@transaction.atomic
def login_failed_record(*, user: User | None, locked_out: bool) -> None:
    """A refused password sign-in. The typed address and password are never recorded;
    the person is named (by pseudonym) only when the address belongs to an account."""
    audit.record(
        action="auth.login_locked" if locked_out else "auth.login_failed",
        actor=None,
        target=user,
        subject=user,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"known_account": user is not None},
    )


# --- single sign-on (accounts/sso.py) -----------------------------------------------------------

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _issuer_checked(issuer: str) -> str:
    parts = urllib.parse.urlsplit(issuer.strip())
    loopback = parts.hostname in _LOOPBACK_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValidationFailed(_("The issuer must be an https:// address."))
    if not parts.hostname or parts.query or parts.fragment:
        raise ValidationFailed(_("The issuer must be a plain https:// address."))
    return issuer.strip().rstrip("/")


def _domains_checked(domains: Iterable[str]) -> list[str]:
    cleaned = sorted({d.strip().lower() for d in domains if d.strip()})
    if not cleaned:
        raise ValidationFailed(_("Name at least one e-mail domain of your organization."))
    for domain in cleaned:
        if not _DOMAIN.match(domain):
            raise ValidationFailed(
                _("“%(domain)s” is not an e-mail domain.") % {"domain": domain[:80]}
            )
    return cleaned


@transaction.atomic
def identity_provider_configure(
    *,
    actor: User,
    organization: Organization,
    name: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    domains: Iterable[str],
    second_factor: str,
    accepted_mfa_claims: Iterable[str] = (),
    end_provider_session: bool = True,
    enabled: bool = True,
) -> IdentityProvider:
    """Set up or change ``organization``'s sign-in provider (the caller checked the actor
    administers it: ``programs.access.access_organization_admin``). An empty ``client_secret``
    keeps the stored one. Audited without any of the values."""
    idp = IdentityProvider.objects.select_for_update().filter(organization=organization).first()
    created = idp is None
    if idp is None:
        if not client_secret:
            raise ValidationFailed(_("Enter the client secret the provider gave you."))
        idp = IdentityProvider(organization=organization)
    if second_factor not in IdentityProvider.SecondFactor.values:
        raise ValidationFailed(_("Choose how the second factor is checked."))
    claims = [c.strip() for c in accepted_mfa_claims if c.strip()]
    if second_factor == IdentityProvider.SecondFactor.DELEGATED_CLAIM and not claims:
        raise ValidationFailed(_("Name the amr or acr values that show a second factor."))
    if not name.strip() or not client_id.strip():
        raise ValidationFailed(_("The provider needs a name and a client id."))
    idp.name = name.strip()[:100]
    idp.issuer = _issuer_checked(issuer)
    idp.client_id = client_id.strip()[:200]
    if client_secret:
        sso.secret_wrap(idp, client_secret)
    domains = _domains_checked(domains)
    for other in IdentityProvider.objects.exclude(organization=organization).only("domains"):
        claimed = set(domains) & set(other.domain_list())
        if claimed:
            # One organization per domain: a second one would create accounts there too.
            raise ValidationFailed(
                _("“%(domain)s” is already claimed by another organization.")
                % {"domain": sorted(claimed)[0]}
            )
    idp.domains = "\n".join(domains)
    idp.second_factor = second_factor
    idp.accepted_mfa_claims = "\n".join(claims)
    idp.end_provider_session = end_provider_session
    idp.enabled = enabled
    idp.updated_at = timezone.now()
    idp.save()
    audit.record(
        action="sso.configure",
        actor=actor,
        actor_role="org_admin",
        target=idp,
        purpose="set up single sign-on",
        organization=organization.pk,
        extra={
            "created": created,
            "secret_changed": bool(client_secret),
            "second_factor": second_factor,
            "enabled": enabled,
        },
    )
    return idp


@transaction.atomic
def sso_member_join(*, user: User, identity_provider: IdentityProvider) -> None:
    """A person created at their first sign-in through their organization's provider joins
    that organization as a plain member (just-in-time membership): the provider vouched for an
    address at one of the organization's domains."""
    from mentorhaven.programs.models import OrgMembership
    from mentorhaven.programs.services import org_role_grant

    organization = identity_provider.organization
    org_role_grant(actor=None, organization=organization, user=user, role=OrgMembership.Role.MEMBER)
    audit.record(
        action="sso.member_join",
        actor=user,
        target=identity_provider,
        subject=user,
        purpose="join an organization through its sign-in provider",
        organization=organization.pk,
    )
