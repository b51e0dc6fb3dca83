"""Organizations, programs, roles and memberships."""

from __future__ import annotations

from django.db import transaction

from mentorhaven.accounts.models import User
from mentorhaven.programs.models import (
    Membership,
    Organization,
    OrgMembership,
    Program,
)

AUDIT_CATEGORY_PROGRAM = "program"


@transaction.atomic
def organization_create(*, actor: User | None, name: str, slug: str) -> Organization:
    return Organization.objects.create(name=name, slug=slug)


@transaction.atomic
def program_create(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    slug: str,
    kind: str = Program.Kind.ONE_TO_ONE,
    **fields,
) -> Program:
    return Program.objects.create(
        organization=organization, name=name, slug=slug, kind=kind, **fields
    )


@transaction.atomic
def org_role_grant(
    *, actor: User | None, organization: Organization, user: User, role: str
) -> OrgMembership:
    """Give ``user`` a role in ``organization``; every member also holds the plain member role."""
    OrgMembership.objects.get_or_create(
        organization=organization, user=user, role=OrgMembership.Role.MEMBER
    )
    membership, _ = OrgMembership.objects.get_or_create(
        organization=organization, user=user, role=role
    )
    return membership


@transaction.atomic
def membership_grant(*, actor: User | None, program: Program, user: User, role: str) -> Membership:
    """Add ``user`` to ``program`` in ``role`` (idempotent). Joins the organization too."""
    org_role_grant(
        actor=actor, organization=program.organization, user=user, role=OrgMembership.Role.MEMBER
    )
    membership, _ = Membership.objects.get_or_create(program=program, user=user, role=role)
    return membership
