"""Reads about accounts."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db import connection

from mentorhaven.accounts.domain import device_description
from mentorhaven.accounts.hot_reads import fetch_all, row_loader
from mentorhaven.accounts.models import User
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
_GATE_COLUMN = "gate"
# Where signed_in_user() leaves the gate it read with the user, for this request's MFA check.
_REQUEST_GATE_ATTR = "_mentorhaven_request_mfa_gate"


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
        f"SELECT {column(membership, 'role')} AS {quote(_GATE_COLUMN)}"  # noqa: S608
        f" FROM {quote(membership.db_table)}"
        f" WHERE {column(membership, 'user')} = %s"
        f" UNION SELECT {column(org_membership, 'role')} FROM {quote(org_membership.db_table)}"
        f" WHERE {column(org_membership, 'user')} = %s"
        f" UNION SELECT %s FROM {quote(authenticator.db_table)}"
        f" WHERE {column(authenticator, 'user')} = %s"
        f" AND {column(authenticator, 'type')} IN ({types})"
    )


def _gate_params(user_id) -> list:
    return [user_id, user_id, _ENROLLED, user_id, *SECOND_FACTOR_TYPES]


def _gate_from(user, values: frozenset) -> MfaGate:
    """The gate for ``user`` from the values the union returned; keeps the roles on ``user``."""
    roles = values - {_ENROLLED, None}
    setattr(user, ROLES_ATTR, roles)
    required = (
        user.is_staff or user.is_superuser or bool(roles & {*MFA_PROGRAM_ROLES, *MFA_ORG_ROLES})
    )
    return MfaGate(roles=roles, required=required, enrolled=_ENROLLED in values)


def mfa_gate(user) -> MfaGate:
    """Whether ``user`` must have a second factor and has one, in ONE query, read afresh on
    every call: removing the last authenticator or granting a staff role takes effect on the
    very next request. The roles read on the way are kept on ``user`` for the request."""
    rows = fetch_all(_mfa_gate_sql(connection.vendor), _gate_params(user.pk))
    return _gate_from(user, frozenset(row[0] for row in rows))


@functools.cache
def _signed_in_user_sql(vendor: str) -> str:
    """The user row, once per gate value (or once with NULL): the user and their gate in one
    statement. Only quoted model identifiers are formatted in."""
    quote = connection.ops.quote_name
    meta = User._meta
    return (
        f"SELECT {row_loader(User, vendor).select_list('u')}, g.{quote(_GATE_COLUMN)}"  # noqa: S608
        f" FROM {quote(meta.db_table)} u LEFT JOIN ({_mfa_gate_sql(vendor)}) g ON 1 = 1"
        f" WHERE u.{quote(cast(str, cast(Any, meta.pk).column))} = %s"
    )


def signed_in_user(user_id) -> User | None:
    """The user a session names, or None, read in ONE query together with their second-factor
    gate. Every signed-in request reads both (backends.py, then MfaRequiredMiddleware), so
    reading them together saves a round trip; the gate is left on the user for this request's
    check only (request_mfa_gate), never for later ones."""
    user_id = User._meta.pk.to_python(user_id)  # type: ignore[union-attr]
    rows = fetch_all(_signed_in_user_sql(connection.vendor), [*_gate_params(user_id), user_id])
    if not rows:
        return None
    user = cast(User, row_loader(User, connection.vendor).instance(rows[0]))
    setattr(user, _REQUEST_GATE_ATTR, _gate_from(user, frozenset(row[-1] for row in rows)))
    return user


@functools.cache
def _session_and_user_sql(vendor: str) -> str:
    """A live session row and, through allauth's record of who signed in with it, that user's
    row once per role and per authenticator they hold (or once with NULLs): the session, the
    user and their second-factor gate in one statement. The union has no WHERE in any branch so
    that PostgreSQL reads each table by the user's index; authenticators of a type that does
    not count are skipped in Python. Only quoted model identifiers are formatted in."""
    from django.contrib.sessions.models import Session

    quote = connection.ops.quote_name

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    session, record, user = Session._meta, UserSession._meta, User._meta
    membership, org_membership = Membership._meta, OrgMembership._meta
    authenticator = Authenticator._meta
    user_pk = quote(cast(str, cast(Any, user.pk).column))
    gate_user, gate, factor = quote("gate_user"), quote(_GATE_COLUMN), quote("gate_factor")
    return (
        f"SELECT s.{column(session, 'session_data')},"  # noqa: S608
        f" {row_loader(User, vendor).select_list('u')}, g.{gate}, g.{factor}"
        f" FROM {quote(session.db_table)} s"
        f" LEFT JOIN {quote(record.db_table)} us"
        f" ON us.{column(record, 'session_key')} = s.{column(session, 'session_key')}"
        f" LEFT JOIN {quote(user.db_table)} u ON u.{user_pk} = us.{column(record, 'user')}"
        f" LEFT JOIN (SELECT {column(membership, 'user')} AS {gate_user},"
        f" {column(membership, 'role')} AS {gate}, 0 AS {factor}"
        f" FROM {quote(membership.db_table)}"
        f" UNION ALL SELECT {column(org_membership, 'user')}, {column(org_membership, 'role')}, 0"
        f" FROM {quote(org_membership.db_table)}"
        f" UNION ALL SELECT {column(authenticator, 'user')}, {column(authenticator, 'type')}, 1"
        f" FROM {quote(authenticator.db_table)}"
        f") g ON g.{gate_user} = u.{user_pk}"
        f" WHERE s.{column(session, 'session_key')} = %s"
        f" AND s.{column(session, 'expire_date')} > %s"
    )


def session_and_user(session_key: str, now: datetime) -> tuple[str, User | None] | None:
    """The data of the live session ``session_key`` (None if there is none) and, read in the
    same statement, the user allauth recorded signing in with it, with their second-factor
    gate (the same answer signed_in_user gives), or None.

    The user is only a hint: django.contrib.auth still takes the user id from the signed
    session data and uses this user only if it is the same one (backends.py)."""
    rows = fetch_all(_session_and_user_sql(connection.vendor), [session_key, now])
    if not rows:
        return None
    first = rows[0]
    loader = row_loader(User, connection.vendor)
    if first[1 + loader.names.index(User._meta.pk.attname)] is None:  # type: ignore[union-attr]
        return first[0], None
    user = cast(User, loader.instance(first[1:]))
    values = {
        (_ENROLLED if value in SECOND_FACTOR_TYPES else None) if factor else value
        for *_, value, factor in rows
    }
    setattr(user, _REQUEST_GATE_ATTR, _gate_from(user, frozenset(values)))
    return first[0], user


def request_mfa_gate(user) -> MfaGate:
    """The MFA gate of the signed-in user of this request: the one read together with the user
    at the start of the request (signed_in_user) if there is one, taken so that it serves this
    check only; otherwise read now (mfa_gate)."""
    gate = getattr(user, _REQUEST_GATE_ATTR, None)
    if gate is None:
        return mfa_gate(user)
    delattr(user, _REQUEST_GATE_ATTR)
    return gate


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
