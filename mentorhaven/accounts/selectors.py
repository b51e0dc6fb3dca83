"""Reads about accounts."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db import connection

from mentorhaven.accounts.domain import device_description
from mentorhaven.kernel.errors import NotFound
from mentorhaven.programs.models import Membership, OrgMembership

# Roles whose holders see other people's data: they must use a second factor.
MFA_PROGRAM_ROLES = (Membership.Role.MENTOR, Membership.Role.PROGRAM_ADMIN)
MFA_ORG_ROLES = (
    OrgMembership.Role.ORG_ADMIN,
    OrgMembership.Role.AUDITOR,
    OrgMembership.Role.SECURITY_OFFICER,
)


# Second factors that open the site; recovery codes alone do not.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Where a request keeps the set of roles its user holds, so the navigation and the dashboard
# reuse what the MFA check already read (mentorhaven/web/selectors.py reads it).
ROLES_ATTR = "_mentorhaven_roles"
# Stands for "has a second factor" in the one-query union below; no role is spelled like it.
_ENROLLED = "+second-factor"


@dataclass(frozen=True)
class MfaGate:
    roles: frozenset[str]
    required: bool
    enrolled: bool

    @property
    def blocks(self) -> bool:
        return self.required and not self.enrolled


@functools.cache
def _mfa_gate_sql(vendor: str) -> str:
    """The roles of one user plus a marker row when they have a second factor. Written out
    (table and column names from the models) because it runs on every signed-in request and
    the ORM spends longer building a three-part UNION than the database spends answering it."""
    quote = connection.ops.quote_name  # the same for every connection of one vendor

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column or name)

    membership, org_membership = Membership._meta, OrgMembership._meta
    authenticator = Authenticator._meta
    types = ", ".join(["%s"] * len(SECOND_FACTOR_TYPES))
    # Only quoted model identifiers are formatted in; every value is a query parameter.
    return (
        f"SELECT {column(membership, 'role')} FROM {quote(membership.db_table)}"  # noqa: S608
        f" WHERE {column(membership, 'user')} = %s"
        f" UNION SELECT {column(org_membership, 'role')} FROM {quote(org_membership.db_table)}"
        f" WHERE {column(org_membership, 'user')} = %s"
        f" UNION SELECT %s FROM {quote(authenticator.db_table)}"
        f" WHERE {column(authenticator, 'user')} = %s"
        f" AND {column(authenticator, 'type')} IN ({types})"
    )


def mfa_gate(user) -> MfaGate:
    """Whether ``user`` must have a second factor and has one, in ONE query, read afresh on
    every call: removing the last authenticator or granting a staff role takes effect on the
    very next request. The roles read on the way are kept on ``user`` for the request."""
    sql = _mfa_gate_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, _ENROLLED, user.pk, *SECOND_FACTOR_TYPES])
        rows = frozenset(row[0] for row in cursor.fetchall())
    roles = rows - {_ENROLLED}
    setattr(user, ROLES_ATTR, roles)
    required = (
        user.is_staff or user.is_superuser or bool(roles & {*MFA_PROGRAM_ROLES, *MFA_ORG_ROLES})
    )
    return MfaGate(roles=roles, required=required, enrolled=_ENROLLED in rows)


def user_requires_mfa(user) -> bool:
    if user.is_staff or user.is_superuser:
        return True
    return (
        Membership.objects.filter(user=user, role__in=MFA_PROGRAM_ROLES).exists()
        or OrgMembership.objects.filter(user=user, role__in=MFA_ORG_ROLES).exists()
    )


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


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


def mfa_status(user) -> MfaStatus:
    types = list(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return MfaStatus(
        totp=Authenticator.Type.TOTP in types,
        passkeys=types.count(Authenticator.Type.WEBAUTHN),
        recovery_codes=Authenticator.Type.RECOVERY_CODES in types,
        required=user_requires_mfa(user),
    )


# --- sessions ----------------------------------------------------------------------------------


def session_ref(session_key: str) -> str:
    """How a session is named in pages and forms: a digest, because the key is a credential."""
    return hashlib.sha256(f"mentorhaven-session:{session_key}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SessionRow:
    ref: str
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def sessions_for(*, viewer, current_session_key: str | None) -> list[SessionRow]:
    """The viewer's live sessions, current one first; stale rows are purged on the way."""
    rows = [
        SessionRow(
            ref=session_ref(s.session_key),
            device=device_description(s.user_agent),
            ip=s.ip,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            is_current=s.session_key == current_session_key,
        )
        for s in UserSession.objects.purge_and_list(viewer)
    ]
    return sorted(rows, key=lambda r: (not r.is_current, -r.created_at.timestamp()))


def access_user_session(viewer, ref: str) -> UserSession:
    """One of the viewer's own sessions by its reference, or NotFound."""
    for session in UserSession.objects.filter(user=viewer):
        if session_ref(session.session_key) == ref:
            return session
    raise NotFound()
