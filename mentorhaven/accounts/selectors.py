"""Reads about accounts: roles and the second-factor rule, second factors, sessions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession

from mentorhaven.accounts.domain import device_description
from mentorhaven.accounts.models import IdentityProvider, User
from mentorhaven.accounts.sessions import stored_key
from mentorhaven.accounts.usersessions import live_sessions
from mentorhaven.kernel.errors import NotFound
from mentorhaven.programs.models import Membership, Organization, OrgMembership

# Roles whose holders see other people's data: they must use a second factor.
MFA_PROGRAM_ROLES = (Membership.Role.MENTOR, Membership.Role.PROGRAM_ADMIN)
MFA_ORG_ROLES = (
    OrgMembership.Role.ORG_ADMIN,
    OrgMembership.Role.AUDITOR,
    OrgMembership.Role.SECURITY_OFFICER,
)
MFA_ROLES = frozenset({*MFA_PROGRAM_ROLES, *MFA_ORG_ROLES})
# Second factors that open the site; recovery codes alone do not.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Where the roles read for a user are kept on that user object (one request's worth), so the
# second-factor check, the navigation and the dashboard read them once.
_ROLES_ATTR = "_mentorhaven_roles"


def _read_roles(user: User) -> frozenset[str]:
    roles = frozenset(
        Membership.objects.filter(user=user)
        .values_list("role", flat=True)
        .union(OrgMembership.objects.filter(user=user).values_list("role", flat=True))
    )
    setattr(user, _ROLES_ATTR, roles)
    return roles


def roles_for(user: User) -> frozenset[str]:
    """Every role ``user`` holds anywhere (program and organization roles), in one query, read
    once per user object: a request's user is loaded afresh on every request."""
    roles = getattr(user, _ROLES_ATTR, None)
    return roles if roles is not None else _read_roles(user)


@dataclass(frozen=True)
class MfaGate:
    roles: frozenset[str]
    required: bool
    enrolled: bool  # only looked up when required

    @property
    def blocks(self) -> bool:
        return self.required and not self.enrolled


def mfa_gate(user: User) -> MfaGate:
    """Whether ``user`` must have a second factor and has one, read afresh on every call:
    removing the last authenticator or granting a staff role counts at once."""
    roles = _read_roles(user)
    required = user.is_staff or user.is_superuser or bool(roles & MFA_ROLES)
    enrolled = required and is_mfa_enabled(user, types=list(SECOND_FACTOR_TYPES))
    return MfaGate(roles=roles, required=required, enrolled=enrolled)


def user_requires_mfa(user: User) -> bool:
    return user.is_staff or user.is_superuser or bool(roles_for(user) & MFA_ROLES)


def user_has_mfa(user: User) -> bool:
    return is_mfa_enabled(user, types=list(SECOND_FACTOR_TYPES))


# --- second factors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MfaStatus:
    totp: bool
    passkeys: int
    recovery_codes: bool
    required: bool

    @property
    def enabled(self) -> bool:
        return self.totp or self.passkeys > 0


def mfa_status(user: User) -> MfaStatus:
    types = list(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return MfaStatus(
        totp=Authenticator.Type.TOTP in types,
        passkeys=types.count(Authenticator.Type.WEBAUTHN),
        recovery_codes=Authenticator.Type.RECOVERY_CODES in types,
        required=user_requires_mfa(user),
    )


# --- sessions ----------------------------------------------------------------------------------


def session_ref(stored: str) -> str:
    """How a session is named in pages and forms: a digest of its stored key."""
    return hashlib.sha256(f"mentorhaven-session:{stored}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SessionRow:
    ref: str
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def sessions_for(*, viewer: User, current_session_key: str | None) -> list[SessionRow]:
    """The viewer's live sessions, current one first; stale records are purged on the way."""
    current = stored_key(current_session_key) if current_session_key else None
    rows = [
        SessionRow(
            ref=session_ref(s.session_key),
            device=device_description(s.user_agent),
            ip=s.ip,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            is_current=s.session_key == current,
        )
        for s in live_sessions(viewer)
    ]
    return sorted(rows, key=lambda r: (not r.is_current, -r.created_at.timestamp()))


def access_user_session(viewer: User, ref: str) -> UserSession:
    """One of the viewer's own sessions by its reference, or NotFound."""
    for session in UserSession.objects.filter(user=viewer):
        if session_ref(session.session_key) == ref:
            return session
    raise NotFound()


# --- single sign-on ----------------------------------------------------------------------------


def identity_provider_for_sign_in(who: str) -> IdentityProvider | None:
    """The enabled provider of the organization a visitor names, by a work address (its domain)
    or by the organization's short name (slug). What the visitor learns is only whether that
    domain or name has single sign-on, which the sign-in button shows anyway."""
    who = who.strip().lower()
    providers = IdentityProvider.objects.filter(enabled=True).select_related("organization")
    if "@" in who:
        domain = who.rpartition("@")[2]
        for idp in providers.filter(domains__contains=domain):
            if domain in idp.domain_list():
                return idp
        return None
    return providers.filter(organization__slug=who).first()


def identity_provider_of(organization: Organization) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(organization=organization).first()
